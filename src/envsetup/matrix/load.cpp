// SPDX-License-Identifier: Apache-2.0
#include <envsetup/matrix/load.hpp>

#include <envsetup/matrix/embedded.hpp>
#include <envsetup/matrix/json_reader.hpp>
#include <envsetup/matrix/validate.hpp>
#include <envsetup/util/fs.hpp>

#include <algorithm>
#include <charconv>

namespace envsetup::matrix {

namespace {

using detail::child_pointer;
using detail::FileContext;
using detail::for_each_object;
using detail::ObjectReader;


void read_cuda(ObjectReader& root, Matrix& matrix)
{
  for_each_object(root, "majors", [&](ObjectReader& item) {
    CudaMajor major;
    major.major = item.integer("major");
    major.min_driver = item.version("min_driver");
    major.provenance = item.provenance();
    matrix.cuda_majors.push_back(std::move(major));
  });
  for_each_object(root, "releases", [&](ObjectReader& item) {
    CudaRelease release;
    release.version = item.version("version");
    release.label = item.string("label");
    release.release_date = item.optional_string("release_date").value_or("");
    release.min_driver = item.version("min_driver");
    release.targets = item.targets("targets");
    release.ptx_isa = item.optional_version("ptx_isa");
    release.manifest = item.optional_string("manifest").value_or("");
    release.provenance = item.provenance();
    matrix.cuda.push_back(std::move(release));
  });
}

std::vector<std::pair<std::uint16_t, std::uint16_t>> read_pci_ranges(ObjectReader& item)
{
  std::vector<std::pair<std::uint16_t, std::uint16_t>> ranges;
  const auto& items = item.array("pci_device_ids");
  const std::string pointer = child_pointer(item.pointer(), "pci_device_ids");
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& range = items[i];
    std::uint16_t bounds[2] = {0, 0};
    bool ok = range.is_array() && range.size() == 2;
    for (std::size_t b = 0; ok && b < 2; ++b) {
      const auto& text = range[b];
      ok = text.is_string() && text.get_ref<const std::string&>().starts_with("0x");
      if (ok) {
        const auto& s = text.get_ref<const std::string&>();
        const auto [end, ec] = std::from_chars(s.data() + 2, s.data() + s.size(), bounds[b], 16);
        ok = ec == std::errc{} && end == s.data() + s.size() && s.size() > 2;
      }
    }
    if (!ok || bounds[0] > bounds[1]) {
      item.context().report(child_pointer(pointer, std::to_string(i)),
                            "expected a range [\"0xFROM\", \"0xTO\"] of 16-bit hex device ids, "
                            "found " +
                              range.dump());
      continue;
    }
    ranges.emplace_back(bounds[0], bounds[1]);
  }
  return ranges;
}

void read_gpus(ObjectReader& root, Matrix& matrix)
{
  for_each_object(root, "architectures", [&](ObjectReader& item) {
    Architecture architecture;
    architecture.name = item.string("name");
    for_each_object(item, "compute_capabilities", [&](ObjectReader& entry) {
      CapabilityFloor floor;
      floor.capability = entry.capability("capability");
      floor.min_driver = entry.version("min_driver");
      floor.provenance = entry.provenance();
      architecture.floors.push_back(std::move(floor));
    });
    for (const auto& floor : architecture.floors) {
      architecture.capabilities.push_back(floor.capability);
      if (architecture.min_driver.empty() || floor.min_driver < architecture.min_driver) {
        architecture.min_driver = floor.min_driver;
      }
    }
    if (item.has("last_driver_branch")) {
      ObjectReader branch = item.object("last_driver_branch");
      const int number = branch.integer("branch");
      if (number > 0) {
        architecture.last_driver_branch = number;
      } else if (branch.has("branch")) {
        item.context().report(child_pointer(branch.pointer(), "branch"),
                              "expected a positive driver branch (e.g. 580), found " + std::to_string(number));
      }
      architecture.last_branch_provenance = branch.provenance();
      branch.finish();
    }
    architecture.provenance = item.provenance();
    matrix.architectures.push_back(std::move(architecture));
  });
  for_each_object(root, "chips", [&](ObjectReader& item) {
    Chip chip;
    chip.name = item.string("name");
    chip.architecture = item.string("architecture");
    chip.capability = item.capability("compute_capability");
    chip.products = item.optional_string("products").value_or("");
    chip.pci_device_ids = read_pci_ranges(item);
    chip.provenance = item.provenance();
    matrix.chips.push_back(std::move(chip));
  });
}

void read_cudnn(ObjectReader& root, Matrix& matrix)
{
  for_each_object(root, "releases", [&](ObjectReader& item) {
    CudnnRelease release;
    release.version = item.version("version");
    release.build = item.optional_version("build");
    for_each_object(item, "cuda", [&](ObjectReader& range_item) {
      CudnnCudaRange range;
      range.major = range_item.integer("major");
      range.min = range_item.version("min");
      range.max = range_item.version("max");
      release.cuda.push_back(std::move(range));
    });
    ObjectReader capabilities = item.object("compute_capabilities");
    release.min_capability = capabilities.capability("min");
    release.max_capability = capabilities.capability("max");
    capabilities.finish();
    release.manifest = item.optional_string("manifest").value_or("");
    release.manifest_layout = item.string("manifest_layout");
    release.provenance = item.provenance();
    matrix.cudnn.push_back(std::move(release));
  });
}

void read_file(const SourceFile& file, const FileContext& context, Matrix& matrix)
{
  MatrixJson document;
  try {
    document = MatrixJson::parse(file.content);
  } catch (const MatrixJson::parse_error& e) {
    context.report("", std::string("not valid JSON: ") + e.what());
    return;
  }
  ObjectReader root(document, "", context);
  if (!root.is_object()) {
    return;
  }
  if (const int version = root.integer("schema_version"); version != k_schema_version && root.has("schema_version")) {
    context.report("/schema_version", version == 1 ? "schema_version 1 is retired: its `targets` lists read "
                                                     "TensorFlow's "
                                                     "and JAX's compute_XY ambiguously; convert the file to "
                                                     "schema_version "
                                                     "2 (sass/ptx/arch_list, platform, glibc, per-capability driver "
                                                     "floors), see docs/matrix-format.md"
                                                   : "unsupported schema_version " + std::to_string(version) +
                                                       " (this envsetup reads version 2, see "
                                                       "docs/matrix-format.md)");
    return;
  }
  if (file.name == k_cuda_file) {
    read_cuda(root, matrix);
  } else if (file.name == k_gpus_file) {
    read_gpus(root, matrix);
  } else if (file.name == k_cudnn_file) {
    read_cudnn(root, matrix);
  } else {
    detail::read_framework(root, file.name, matrix);
  }
  root.finish();
}

void sort_matrix(Matrix& matrix)
{
  auto by_version = [](const auto& a, const auto& b) { return a.version < b.version; };
  std::stable_sort(matrix.cuda.begin(), matrix.cuda.end(), by_version);
  std::stable_sort(matrix.cudnn.begin(), matrix.cudnn.end(), by_version);
  for (auto& framework : matrix.frameworks) {
    auto& releases = framework.releases;
    std::stable_sort(releases.begin(), releases.end(),
                     [](const auto& a, const auto& b) { return a.series < b.series; });
    for (auto& release : releases) {
      std::sort(release.versions.begin(), release.versions.end());
    }
  }
}

}  // namespace

Matrix parse_matrix(const std::vector<SourceFile>& files, Problems& problems)
{
  Matrix matrix;
  for (const char* required : {k_cuda_file, k_gpus_file, k_cudnn_file}) {
    const bool present =
      std::any_of(files.begin(), files.end(), [&](const SourceFile& f) { return f.name == required; });
    if (!present) {
      problems.push_back({required, "/", "the file is missing"});
    }
  }
  for (const auto& file : files) {
    const FileContext context{file.name, &problems};
    read_file(file, context, matrix);
  }
  if (problems.empty()) {
    check_references(matrix, problems);
  }
  sort_matrix(matrix);
  return matrix;
}

util::Result<std::vector<SourceFile>> read_matrix_dir(const std::filesystem::path& directory)
{
  std::error_code ec;
  std::filesystem::directory_iterator it(directory, ec);
  if (ec) {
    return util::make_error(util::ErrorKind::io, "cannot read the matrix folder `" + directory.string() + "`")
      .with_cause(ec.message());
  }
  std::vector<SourceFile> files;
  for (const auto& entry : it) {
    if (entry.path().extension() != ".json") {
      continue;
    }
    auto content = util::read_file(entry.path());
    if (!content) {
      return std::move(content).error();
    }
    files.push_back({entry.path().filename().string(), std::move(content).value()});
  }
  std::sort(files.begin(), files.end(), [](const SourceFile& a, const SourceFile& b) { return a.name < b.name; });
  return files;
}

std::vector<SourceFile> embedded_matrix_files()
{
  std::vector<SourceFile> files;
  for (const auto& file : embedded_files()) {
    files.push_back({std::string(file.name), std::string(file.content)});
  }
  return files;
}

util::Result<Matrix> load_matrix(const std::vector<SourceFile>& files, const std::string& origin)
{
  Problems problems;
  Matrix matrix = parse_matrix(files, problems);
  if (problems.empty()) {
    return matrix;
  }
  util::Error error = util::make_error(util::ErrorKind::input, "the compatibility matrix " + origin + " is invalid");
  for (const auto& problem : problems) {
    error.causes.push_back(problem.file + " " + problem.pointer + ": " + problem.message);
  }
  error.hints.push_back("run `envsetup matrix validate` on it for the full report");
  return error;
}

}  // namespace envsetup::matrix
