// SPDX-License-Identifier: Apache-2.0
#include <envsetup/verify/worker_json.hpp>

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

namespace envsetup::verify {

namespace {

using nlohmann::json;

// The last non-empty line of `output`.
std::string_view last_line(std::string_view output)
{
  while (!output.empty() && (output.back() == '\n' || output.back() == '\r' || output.back() == ' ')) {
    output.remove_suffix(1);
  }
  const auto newline = output.rfind('\n');
  return newline == std::string_view::npos ? output : output.substr(newline + 1);
}

util::Error bad_answer(const std::string& why)
{
  return util::make_error(util::ErrorKind::verification, "the GPU worker gave no valid answer")
    .with_cause(why);
}

util::Result<json> parse_answer(std::string_view output, const char* kind)
{
  const auto line = last_line(output);
  if (line.empty()) {
    return bad_answer("it printed nothing");
  }
  json document = json::parse(line, nullptr, false);
  if (document.is_discarded() || !document.is_object()) {
    return bad_answer("its last line is not a JSON object: " + std::string(line.substr(0, 200)));
  }
  if (document.value("kind", "") != kind) {
    return bad_answer(std::string("its answer is not of kind `") + kind + "`");
  }
  return document;
}

double finite_or_null_as_infinity(const json& value)
{
  return value.is_null() ? std::numeric_limits<double>::infinity() : value.get<double>();
}

}  // namespace

std::string probe_to_json_line(const DriverProbe& probe)
{
  return json{{"kind", "probe"},
              {"library", probe.library},
              {"loaded", probe.loaded},
              {"load_error", probe.load_error},
              {"init_error", probe.init_error},
              {"cuda_version", probe.cuda_version},
              {"device_count", probe.device_count}}
    .dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string matmul_to_json_line(const MatmulResult& result)
{
  const json max_error = std::isfinite(result.max_relative_error) ? json(result.max_relative_error)
                                                                   : json(nullptr);
  return json{{"kind", "matmul"},
              {"gpu", result.gpu},
              {"size", result.size},
              {"name", result.name},
              {"compute_capability", result.compute_capability},
              {"error", result.error},
              {"jit_log", result.jit_log},
              {"max_relative_error", max_error},
              {"error_bound", result.error_bound},
              {"bad_elements", result.bad_elements},
              {"gflops", result.gflops},
              {"h2d_gb_per_s", result.h2d_gb_per_s},
              {"d2h_gb_per_s", result.d2h_gb_per_s}}
    .dump(-1, ' ', false, json::error_handler_t::replace);
}

util::Result<DriverProbe> parse_probe_line(std::string_view output)
{
  auto document = parse_answer(output, "probe");
  if (!document) {
    return std::move(document).error();
  }
  try {
    const json& d = *document;
    DriverProbe probe;
    probe.library = d.at("library").get<std::string>();
    probe.loaded = d.at("loaded").get<bool>();
    probe.load_error = d.at("load_error").get<std::string>();
    probe.init_error = d.at("init_error").get<std::string>();
    probe.cuda_version = d.at("cuda_version").get<int>();
    probe.device_count = d.at("device_count").get<int>();
    return probe;
  } catch (const json::exception& e) {
    return bad_answer(e.what());
  }
}

util::Result<MatmulResult> parse_matmul_line(std::string_view output)
{
  auto document = parse_answer(output, "matmul");
  if (!document) {
    return std::move(document).error();
  }
  try {
    const json& d = *document;
    MatmulResult result;
    result.gpu = d.at("gpu").get<int>();
    result.size = d.at("size").get<int>();
    result.name = d.at("name").get<std::string>();
    result.compute_capability = d.at("compute_capability").get<std::string>();
    result.error = d.at("error").get<std::string>();
    result.jit_log = d.at("jit_log").get<std::string>();
    result.max_relative_error = finite_or_null_as_infinity(d.at("max_relative_error"));
    result.error_bound = d.at("error_bound").get<double>();
    result.bad_elements = d.at("bad_elements").get<std::size_t>();
    result.gflops = d.at("gflops").get<double>();
    result.h2d_gb_per_s = d.at("h2d_gb_per_s").get<double>();
    result.d2h_gb_per_s = d.at("d2h_gb_per_s").get<double>();
    return result;
  } catch (const json::exception& e) {
    return bad_answer(e.what());
  }
}

}  // namespace envsetup::verify
