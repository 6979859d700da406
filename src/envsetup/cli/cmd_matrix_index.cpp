// SPDX-License-Identifier: Apache-2.0
// `envsetup matrix check-index`: the matrix's wheel claims against a package index.
#include <envsetup/app/index_check.hpp>
#include <envsetup/cli/commands.hpp>
#include <envsetup/cli/exit_codes.hpp>
#include <envsetup/cli/output.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

namespace envsetup::cli {

namespace {

struct CheckIndexFlags {
  std::string index;
  std::string framework;
  std::string matrix_dir;
  std::string cacert;
  bool json = false;
};

nlohmann::json contradiction_json(const pyindex::Contradiction& c)
{
  nlohmann::json entry{
    {"framework", c.framework}, {"version", c.version}, {"variant", c.variant}, {"claim", c.claim}, {"found", c.found}};
  if (c.python) {
    entry["python"] = *c.python;
  }
  if (c.platform) {
    entry["platform"] = *c.platform;
  }
  return entry;
}

void print_text(const app::CheckIndexOutcome& outcome)
{
  std::cout << "checked " << outcome.checked() << " builds against " << outcome.pages.size() << " index page"
            << (outcome.pages.size() == 1 ? "" : "s") << "\n";
  if (outcome.contradictions() == 0) {
    std::cout << "the index has a wheel for every claim of the matrix\n";
    return;
  }
  std::cout << "\n" << outcome.contradictions() << " claim(s) the index contradicts:\n";
  Table table({"build", "python", "platform", "matrix says", "index has"});
  for (const auto& framework : outcome.frameworks) {
    for (const auto& c : framework.report.contradictions) {
      table.add({c.framework + " " + c.version + " " + c.variant, c.python.value_or("-"), c.platform.value_or("-"),
                 c.claim, c.found});
    }
  }
  table.print(std::cout, "  ");
}

int execute(const CheckIndexFlags& flags)
{
  app::CheckIndexOptions options;
  if (!flags.index.empty()) {
    options.index = flags.index;
  }
  if (!flags.framework.empty()) {
    options.framework = flags.framework;
  }
  if (!flags.matrix_dir.empty()) {
    options.matrix.directory = flags.matrix_dir;
  }
  if (!flags.cacert.empty()) {
    options.access.download.cacert = flags.cacert;
  }
  auto outcome = app::check_index(options);
  if (!outcome) {
    return report_error(outcome.error(), flags.json);
  }
  const bool ok = outcome->contradictions() == 0;
  if (flags.json) {
    nlohmann::json contradictions = nlohmann::json::array();
    for (const auto& framework : outcome->frameworks) {
      for (const auto& c : framework.report.contradictions) {
        contradictions.push_back(contradiction_json(c));
      }
    }
    nlohmann::json document{{"ok", ok},
                            {"checked", outcome->checked()},
                            {"pages", outcome->pages},
                            {"contradictions", std::move(contradictions)}};
    if (!ok) {  // the error object every failed document carries
      const auto error =
        util::make_error(util::ErrorKind::verification,
                         std::to_string(outcome->contradictions()) + " contradiction(s) between the matrix and the index")
          .with_hint("see `contradictions`");
      document["error"] = nlohmann::json::parse(error_object_json(error));
    }
    std::cout << document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  } else {
    print_text(*outcome);
  }
  return ok ? k_exit_ok : k_exit_verification;
}

}  // namespace

void add_matrix_check_index(CLI::App& matrix, CommandResult& result)
{
  auto flags = std::make_shared<CheckIndexFlags>();
  auto* command = matrix.add_subcommand(
    "check-index", "Check the matrix's wheel claims (versions, variants, Pythons, platforms, glibc) against an index");
  command->footer(
    "Examples:\n"
    "  envsetup matrix check-index --framework torch     # https://download.pytorch.org/whl/\n"
    "  envsetup matrix check-index --index http://mirror.lab/whl/ --framework torch --json\n"
    "  envsetup matrix check-index --index file:///srv/pypi-copy/ --framework jax\n"
    "Exit codes: 0 no contradiction, 6 some claim contradicted, 4 an index page cannot be read, 2 usage.");
  command->add_option("--index", flags->index,
                      "index root replacing https://download.pytorch.org/whl/ (cu124/ etc. below it) and "
                      "https://pypi.org/simple/ (http(s):// or file://)");
  command->add_option("--framework", flags->framework, "only this framework (default: all)");
  command->add_option("--matrix", flags->matrix_dir, "matrix folder (default: built-in)");
  command->add_option("--cacert", flags->cacert, "CA bundle for https (replaces the system's)");
  command->add_flag("--json", flags->json, "print {ok, checked, pages, contradictions} as JSON on stdout");
  command->callback([flags, &result] { result.exit_code = execute(*flags); });
}

}  // namespace envsetup::cli
