// SPDX-License-Identifier: Apache-2.0
#include <envsetup/specgen/container_image.hpp>
#include <envsetup/specgen/spec_formats.hpp>
#include <envsetup/util/strings.hpp>
#include <envsetup/util/template.hpp>

namespace envsetup::specgen {

namespace {

std::string major_minor(const std::optional<core::Version>& version)
{
  return version ? std::to_string(version->major()) + "." + std::to_string(version->minor()) : "";
}

// Each of `items` on its own line after `prefix`, without a final newline.
std::string lines(const std::vector<std::string>& items, std::string_view prefix)
{
  std::string out;
  for (const auto& item : items) {
    out += (out.empty() ? "" : "\n") + std::string(prefix) + item;
  }
  return out;
}

std::string environment_name(const core::Plan& plan)
{
  return plan.framework + "-" + plan.version->text() + "-" + plan.variant;
}

// conda-forge's own CUDA build of the framework as a match spec: the package name and the
// build-string glob that selects a CUDA build over a CPU one (`pytorch=*=cuda*`; conda-forge
// tensorflow and jaxlib builds are named `cuda120py312...`, see docs/specs.md). Empty for CPU
// plans. Written as a comment only: whether conda-forge has this exact version built for this
// CUDA cannot be known offline, so the pip section stays what gets installed.
std::string conda_forge_build(const core::Plan& plan)
{
  if (!plan.cuda || !plan.version) {
    return "";
  }
  const std::string name = plan.framework == "torch" ? "pytorch" : plan.framework == "jax" ? "jaxlib" : plan.framework;
  return name + "=" + plan.version->text() + "=cuda*";
}

// Variables every conda-based format shares: the environment's name, Python and CUDA pins.
TemplateVariables conda_variables(const SpecInput& input)
{
  const auto& plan = input.plan;
  return {
    {"name", environment_name(plan)},
    {"conda_forge_build", conda_forge_build(plan)},
    {"python", major_minor(plan.python)},
    {"cuda_version", major_minor(plan.cuda)},
    {"cudatoolkit", plan.system_toolkit ? major_minor(plan.cuda) : ""},
    {"cudnn", plan.system_toolkit ? major_minor(plan.cudnn) : ""},
  };
}

// pixi's name of the plan's platform (pixi.sh workspace `platforms`).
std::string pixi_platform(core::Platform platform)
{
  return platform == core::Platform::linux_aarch64 ? "linux-aarch64" : "linux-64";
}

util::Result<TemplateVariables> pip_variables(const SpecInput& input, const PipSpec& pip)
{
  return TemplateVariables{
    {"system_toolkit", system_toolkit_lines(input.plan)},
    {"extra_index_url", pip.extra_index_url.value_or("")},
    {"requirements", lines(pip.requirements, "")},
  };
}

util::Result<TemplateVariables> conda_format_variables(const SpecInput& input, const PipSpec& pip)
{
  auto variables = conda_variables(input);
  std::vector<std::string> pip_lines;
  if (pip.extra_index_url) {
    pip_lines.push_back("--extra-index-url " + *pip.extra_index_url);
  }
  pip_lines.insert(pip_lines.end(), pip.requirements.begin(), pip.requirements.end());
  variables["pip_requirements"] = lines(pip_lines, "      - ");
  return variables;
}

// `torch==2.5.1+cu124` as a pixi [pypi-dependencies] entry: `torch = "==2.5.1+cu124"`;
// extras become an inline table.
std::string pypi_dependency(const std::string& requirement)
{
  const std::string name = distribution_name(requirement);
  std::string rest = requirement.substr(name.size());
  std::vector<std::string> extras;
  if (rest.starts_with('[')) {
    const auto close = rest.find(']');
    const std::string listed = rest.substr(1, close - 1);  // split() returns views into it
    for (const auto& extra : util::split(listed, ',')) {
      extras.push_back("\"" + std::string(extra) + "\"");
    }
    rest = rest.substr(close + 1);
  }
  const std::string version = "\"" + (rest.empty() ? std::string("*") : rest) + "\"";
  if (extras.empty()) {
    return name + " = " + version;
  }
  return name + " = { version = " + version + ", extras = [" + util::join(extras, ", ") + "] }";
}

util::Result<TemplateVariables> pixi_variables(const SpecInput& input, const PipSpec& pip)
{
  auto variables = conda_variables(input);
  std::vector<std::string> entries;
  for (const auto& requirement : pip.requirements) {
    entries.push_back(pypi_dependency(requirement));
  }
  variables["pypi_dependencies"] = lines(entries, "");
  variables["platform"] = pixi_platform(input.plan.platform);
  variables["system_toolkit"] = system_toolkit_lines(input.plan);
  variables["extra_index_url"] = pip.extra_index_url.value_or("");
  return variables;
}

util::Result<TemplateVariables> container_variables(const SpecInput& input, const PipSpec& pip)
{
  const auto image = container_image(input.plan);
  std::string install = "pip install --no-cache-dir";
  if (pip.extra_index_url) {
    install += " --extra-index-url " + util::shell_word(*pip.extra_index_url);
  }
  for (const auto& requirement : pip.requirements) {
    install += " " + util::shell_word(requirement);
  }
  return TemplateVariables{
    {"base_image", image.image},
    {"python", major_minor(input.plan.python)},
    {"ppa", image.needs_ppa ? "deadsnakes" : ""},
    {"pip_install", install},
  };
}

util::Result<TemplateVariables> docker_variables(const SpecInput& input, const PipSpec& pip)
{
  auto variables = container_variables(input, pip);
  if (variables) {
    // nvidia/cuda and ubuntu images are multi-arch: an aarch64 plan names its platform, so a
    // build on another host does not pull the build host's.
    (*variables)["docker_platform"] = input.plan.platform == core::Platform::linux_aarch64 ? "linux/arm64" : "";
  }
  return variables;
}

}  // namespace

const std::vector<SpecFormat>& spec_formats()
{
  static const std::vector<SpecFormat> formats{
    {"pip", "spec/pip.txt", "requirements.txt", pip_variables},
    {"conda", "spec/conda.yml", "environment.yml", conda_format_variables},
    {"pixi", "spec/pixi.toml", "pixi.toml", pixi_variables},
    {"docker", "spec/Dockerfile", "Dockerfile", docker_variables},
    {"apptainer", "spec/apptainer.def", "envsetup.def", container_variables},
  };
  return formats;
}

util::Result<SpecFormat> find_spec_format(std::string_view name)
{
  std::vector<std::string> known;
  for (const auto& format : spec_formats()) {
    if (format.name == name) {
      return format;
    }
    known.emplace_back(format.name);
  }
  return util::make_error(util::ErrorKind::usage, "unknown spec format `" + std::string(name) + "`")
    .with_hint("choose one of " + util::join(known, ", "));
}

util::Result<PipSpec> pip_spec(const SpecInput& input)
{
  auto pip = pip_requirements(input.plan, input.pip);
  if (!pip) {
    return std::move(pip).error();
  }
  PipSpec spec{pip->extra_index_url, pip->requirements};
  spec.requirements.push_back(numpy_requirement(input.plan));
  return spec;
}

std::string spec_header(const SpecInput& input)
{
  const auto& plan = input.plan;
  std::string what = plan.display_name + (plan.version ? " " + plan.version->text() : "") + " (" + plan.variant + ")";
  if (plan.cuda) {
    what += ", CUDA " + plan.cuda->text() + (plan.cudnn ? ", cuDNN " + plan.cudnn->text() : "");
  }
  if (plan.python) {
    what += ", Python " + plan.python->text();
  }
  std::string header = "# " + what + "\n";
  if (!input.resolved_for.empty()) {
    header += "# resolved for " + util::join(input.resolved_for, ", ") + "\n";
  }
  for (const auto& note : plan.notes) {
    header += "# note: " + note + "\n";
  }
  return header + "# written by envsetup " + input.envsetup_version;
}

std::string system_toolkit_lines(const core::Plan& plan)
{
  if (!plan.system_toolkit) {
    return "";
  }
  const auto& cuda = plan.toolkit_cuda ? plan.toolkit_cuda : plan.cuda;
  const auto& cudnn = plan.toolkit_cudnn ? plan.toolkit_cudnn : plan.cudnn;
  if (!cuda) {
    return "";
  }
  const std::string framework = plan.display_name + (plan.version ? " " + plan.version->text() : "");
  std::string out = "# needs CUDA " + cuda->text() + (cudnn ? " + cuDNN " + cudnn->text() : "") + " on the system (" +
                    framework + " loads them from there; without them it runs on the CPU)";
  if (!plan.toolkit_cuda) {
    return out;  // no redistributable archives for this platform: envsetup cannot lay it out
  }
  const std::string prefix = "~/cuda-" + cuda->text() + (cudnn ? "-cudnn-" + cudnn->text() : "");
  return out + ", e.g.:\n#   envsetup install --cuda " + cuda->text() + (cudnn ? " --cudnn " + cudnn->text() : "") +
         " --prefix " + prefix + "\n#   source " + prefix + "/activate";
}

util::Result<TemplateVariables> spec_variables(const SpecFormat& format, const SpecInput& input)
{
  auto pip = pip_spec(input);
  if (!pip) {
    return std::move(pip).error();
  }
  if (!input.plan.python) {
    return util::make_error(util::ErrorKind::internal, "the plan has no Python version");
  }
  auto variables = format.variables(input, *pip);
  if (variables) {
    (*variables)["header"] = spec_header(input);
  }
  return variables;
}

util::Result<std::string> render_spec(const SpecFormat& format, const SpecInput& input, std::string_view template_text)
{
  auto variables = spec_variables(format, input);
  if (!variables) {
    return std::move(variables).error();
  }
  return util::render_template(template_text, *variables, std::string(format.template_name));
}

}  // namespace envsetup::specgen
