// SPDX-License-Identifier: Apache-2.0
#include <envsetup/app/lock_spec.hpp>

#include <envsetup/app/lock_mirror.hpp>
#include <envsetup/app/templates.hpp>
#include <envsetup/specgen/locked_spec.hpp>
#include <envsetup/util/fs.hpp>
#include <envsetup/util/sha256.hpp>
#include <envsetup/util/strings.hpp>

namespace envsetup::app {

namespace {

specgen::LockedSpecInput spec_input(const lock::Lockfile& lockfile)
{
  specgen::LockedSpecInput input;
  input.display_name = lockfile.display_name;
  input.framework = lockfile.framework;
  input.version = lockfile.version.text();
  input.variant = lockfile.variant;
  input.cuda = lockfile.cuda;
  input.cudnn = lockfile.cudnn;
  input.python = lockfile.host.python;
  input.platform = lockfile.host.platform;
  input.system_toolkit = !lockfile.archives.empty();
  for (const auto& index : lockfile.indexes) {
    input.indexes.push_back({index.key, index.url});
  }
  for (const auto& wheel : lockfile.wheels) {
    input.wheels.push_back({wheel.name, wheel.version, wheel.filename, wheel.sha256});
  }
  return input;
}

}  // namespace

util::Result<LockSpecOutcome> run_lock_spec(const LockSpecOptions& options)
{
  auto template_name = specgen::locked_spec_template(options.format);
  if (!template_name) {
    return std::move(template_name).error();
  }
  auto template_text = app::template_text(*template_name);
  if (!template_text) {
    return std::move(template_text).error();
  }
  std::string text;
  auto lockfile = read_lockfile(options.lock_file, &text);
  if (!lockfile) {
    return std::move(lockfile).error();
  }
  auto input = spec_input(*lockfile);
  input.lock_name = options.lock_file.filename().string();
  util::Sha256 digest;
  digest.update(text.data(), text.size());
  input.lock_sha256 = digest.hex_digest();
  input.envsetup_version = options.envsetup_version;
  auto rendered = specgen::render_locked_spec(options.format, input, *template_text);
  if (!rendered) {
    return std::move(rendered).error().with_cause("for the lockfile `" + options.lock_file.string() + "`");
  }
  LockSpecOutcome outcome;
  outcome.text = std::move(rendered).value();
  outcome.description = util::escape_control_characters(
    (lockfile->display_name.empty() ? lockfile->framework : lockfile->display_name) + " " +
    lockfile->version.text() + " (" + lockfile->variant + "), " + std::to_string(lockfile->wheels.size()) +
    " wheel(s)");
  if (options.output) {
    ENVSETUP_TRY(util::write_file_atomic(*options.output, outcome.text));
    outcome.written = options.output;
  }
  return outcome;
}

}  // namespace envsetup::app
