// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/spec_command.hpp>

#include <envsetup/app/templates.hpp>
#include <envsetup/specgen/spec_formats.hpp>
#include <envsetup/util/fs.hpp>

#include <algorithm>

namespace envsetup::app {

namespace {

// What the header says the plan was resolved for: every host fact with its origin, and the
// Python asked for when it is not one of them.
std::vector<std::string> resolved_for(const ResolveOutcome& outcome)
{
  std::vector<std::string> facts;
  for (const auto& fact : outcome.facts) {
    facts.push_back(fact.fact + " " + fact.value + " (" + fact.origin + ")");
  }
  const bool python_is_a_fact = std::any_of(outcome.facts.begin(), outcome.facts.end(),
                                            [](const FactNote& fact) { return fact.fact == "Python"; });
  if (outcome.request.python && !python_is_a_fact) {
    facts.push_back("Python " + outcome.request.python->text() + " (--python)");
  }
  return facts;
}

}  // namespace

std::vector<std::string> spec_format_names()
{
  std::vector<std::string> names;
  for (const auto& format : specgen::spec_formats()) {
    names.emplace_back(format.name);
  }
  return names;
}

util::Result<SpecOutcome> run_spec(const SpecOptions& options)
{
  auto format = specgen::find_spec_format(options.format);
  if (!format) {
    return std::move(format).error();
  }
  auto template_text = app::template_text(format->template_name);
  if (!template_text) {
    return std::move(template_text).error();
  }
  // A spec for another place (conda, pixi, a container image) is for that place's Python,
  // not this host's: the plan's newest, or --python.
  ResolveOptions resolve = options.resolve;
  resolve.python_from_plan = format->name != "pip";
  auto resolved = run_resolve(resolve);
  if (!resolved) {
    return std::move(resolved).error();
  }
  SpecOutcome outcome{std::move(*resolved), {}, {}};
  if (!outcome.resolve.resolution.plan) {
    return outcome;
  }
  const specgen::SpecInput input{*outcome.resolve.resolution.plan, resolved_for(outcome.resolve),
                                 options.envsetup_version, {options.with, options.wheel_mirror}};
  auto text = specgen::render_spec(*format, input, *template_text);
  if (!text) {
    return std::move(text).error();
  }
  outcome.text = std::move(*text);
  if (options.output) {
    if (auto written = util::write_file_atomic(*options.output, outcome.text); !written) {
      return std::move(written).error();
    }
    outcome.written = options.output;
  }
  return outcome;
}

}  // namespace envsetup::app
