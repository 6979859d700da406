// SPDX-License-Identifier: Apache-2.0
// Spec files (requirements.txt, environment.yml, pixi.toml, Dockerfile, apptainer.def) for a
// plan. Formats are data: each is a template under templates/spec/ plus a function that turns
// the plan into that template's variables; rendering is pure (the caller reads the template).
#pragma once

#include <envsetup/core/plan.hpp>
#include <envsetup/specgen/pip_requirements.hpp>
#include <envsetup/util/error.hpp>

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace envsetup::specgen {

// Everything a spec is rendered from.
struct SpecInput {
  core::Plan plan;
  // What the plan was resolved for, one fact each: "driver 550.54.15 (--driver)".
  std::vector<std::string> resolved_for;
  std::string envsetup_version;  // "0.1.0"
  PipOptions pip;
};

// Requirements as pip reads them: the plan's pins (with `with` companions) plus numpy,
// in install order; `extra_index_url` as in pip_requirements.
struct PipSpec {
  std::optional<std::string> extra_index_url;
  std::vector<std::string> requirements;
};

using TemplateVariables = std::map<std::string, std::string>;

struct SpecFormat {
  std::string_view name;            // "conda", as given to --format
  std::string_view template_name;   // "spec/conda.yml", below templates/
  std::string_view default_output;  // "environment.yml", the conventional file name
  // The template's variables; every format also gets `header` (comment lines, no final newline).
  util::Result<TemplateVariables> (*variables)(const SpecInput& input, const PipSpec& pip);
};

// Every format, in the order --help lists them.
[[nodiscard]] const std::vector<SpecFormat>& spec_formats();

// The format called `name`. Errors (usage): unknown, with the known names as hint.
[[nodiscard]] util::Result<SpecFormat> find_spec_format(std::string_view name);

// The variables `format`'s template is rendered with, `header` included. Errors: those of
// pip_requirements (usage), and a plan without a Python version (internal).
[[nodiscard]] util::Result<TemplateVariables> spec_variables(const SpecFormat& format, const SpecInput& input);

// `template_text` (the text of `format.template_name`) rendered for `input`.
[[nodiscard]] util::Result<std::string> render_spec(const SpecFormat& format, const SpecInput& input,
                                                    std::string_view template_text);

// The header every spec starts with: what was resolved, for what, the plan's notes, by which
// envsetup, as `#` comment lines (no final newline).
[[nodiscard]] std::string spec_header(const SpecInput& input);

// For a plan that loads CUDA and cuDNN from the system (`system_toolkit`): `#` comment lines
// naming the toolkit and the `envsetup install` + `source .../activate` commands that lay it
// out (no final newline); empty for other plans. Formats that install only Python packages
// (pip, pixi's pypi part) write them under the header.
[[nodiscard]] std::string system_toolkit_lines(const core::Plan& plan);

// The pip spec of `input`. Errors: those of pip_requirements (usage).
[[nodiscard]] util::Result<PipSpec> pip_spec(const SpecInput& input);

}  // namespace envsetup::specgen
