// SPDX-License-Identifier: Apache-2.0
// `envsetup matrix validate` and `envsetup matrix show` (update and bundle: cmd_matrix_update.cpp).
#include <envsetup/app/matrix_command.hpp>
#include <envsetup/cli/commands.hpp>
#include <envsetup/cli/exit_codes.hpp>
#include <envsetup/cli/matrix_tables.hpp>
#include <envsetup/cli/matrix_update_commands.hpp>
#include <envsetup/cli/output.hpp>
#include <envsetup/util/suggest.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>

namespace envsetup::cli {

namespace {

struct MatrixFlags {
  std::string directory;
  std::string framework;
  std::string domain;
  bool json = false;
  bool source = false;
};

app::MatrixChoice choice_from(const std::string& directory)
{
  app::MatrixChoice choice;
  if (!directory.empty()) {
    choice.directory = directory;
  }
  return app::with_environment(choice);
}

int validate(const MatrixFlags& flags)
{
  auto report = app::validate_matrix(choice_from(flags.directory));
  if (!report) {
    return report_error(report.error(), flags.json);
  }
  if (flags.json) {
    nlohmann::json problems = nlohmann::json::array();
    for (const auto& problem : report->problems) {
      problems.push_back(
        {{"file", problem.file}, {"pointer", problem.pointer}, {"message", problem.message}});
    }
    nlohmann::json counts = nlohmann::json::object();
    for (const auto& count : report->counts) {
      counts[count.what] = count.count;
    }
    nlohmann::json document{{"ok", report->problems.empty()}, {"problems", problems}, {"counts", counts}};
    if (!report->problems.empty()) {  // the error object every failed document carries
      const auto error = util::make_error(util::ErrorKind::input, "the matrix " + report->origin + " has " +
                                                                    std::to_string(report->problems.size()) +
                                                                    " problem(s)")
                           .with_hint("see `problems`");
      document["error"] = nlohmann::json::parse(error_object_json(error));
    }
    std::cout << document.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
  } else if (report->problems.empty()) {
    std::cout << "the matrix " << report->origin << " is valid\n";
    Table table({"entries", "count"});
    for (const auto& count : report->counts) {
      table.add({count.what, std::to_string(count.count)});
    }
    table.print(std::cout, "  ");
  } else {
    std::cerr << "envsetup: error: the matrix " << report->origin << " has "
              << report->problems.size() << " problem(s)\n";
    for (const auto& problem : report->problems) {
      std::cerr << "  " << problem.file << " " << problem.pointer << ": " << problem.message
                << '\n';
    }
  }
  return report->problems.empty() ? k_exit_ok : k_exit_invalid_data;
}

// `matrix show --source`: which matrix is in effect.
int show_source(const MatrixFlags& flags)
{
  auto files = app::matrix_files_with_info(choice_from(flags.directory));
  if (!files) {
    return report_error(files.error(), flags.json);
  }
  const auto& info = files->second;
  if (flags.json) {
    std::cout << nlohmann::json{{"source", info.source},
                                {"path", info.path.empty() ? nlohmann::json() : nlohmann::json(info.path)},
                                {"generated", info.generated.empty() ? nlohmann::json() : nlohmann::json(info.generated)},
                                {"sha256", info.sha256}}
                   .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
              << '\n';
    return k_exit_ok;
  }
  std::cout << "source     " << info.source << (info.path.empty() ? "" : " " + info.path) << '\n'
            << "generated  " << (info.generated.empty() ? "unknown" : info.generated) << '\n'
            << "sha256     " << info.sha256 << '\n';
  return k_exit_ok;
}

int show(const MatrixFlags& flags)
{
  if (flags.source) {
    return show_source(flags);
  }
  const auto choice = choice_from(flags.directory);
  auto matrix = app::load_matrix(choice);
  if (!matrix) {
    return report_error(matrix.error(), flags.json);
  }
  if (!flags.framework.empty() && matrix->find_framework(flags.framework) == nullptr) {
    std::vector<std::string> known;
    for (const auto& framework : matrix->frameworks) {
      known.push_back(framework.name);
    }
    auto error = util::make_error(util::ErrorKind::usage, "unknown framework `" + flags.framework + "`");
    if (const auto match = util::closest_match(flags.framework, known)) {
      error = std::move(error).with_hint("did you mean `--framework " + *match + "`?");
    }
    return report_error(
      std::move(error).with_hint("run `envsetup matrix show --domain frameworks` to list them"), flags.json);
  }
  const std::string domain = flags.framework.empty() ? flags.domain : "frameworks";
  if (flags.json) {
    std::cout << matrix_json(*matrix, domain, flags.framework) << '\n';
  } else {
    print_matrix_tables(std::cout, *matrix, domain, flags.framework);
  }
  return k_exit_ok;
}

}  // namespace

void add_matrix_command(CLI::App& app, CommandResult& result)
{
  auto flags = std::make_shared<MatrixFlags>();
  auto* command = app.add_subcommand("matrix", "Inspect and check the compatibility matrix");
  command->require_subcommand(1);

  auto* validate_command = command->add_subcommand(
    "validate", "Check a matrix folder (schema and cross-references); lists every problem");
  validate_command->footer(
    "Examples:\n"
    "  envsetup matrix validate              # the built-in matrix\n"
    "  envsetup matrix validate ./matrix     # a folder being edited\n"
    "Exit codes: 0 valid, 7 invalid (each problem printed with file and JSON pointer).");
  validate_command->add_option("dir", flags->directory, "matrix folder (default: built-in)");
  validate_command->add_flag("--json", flags->json, "print the report as JSON on stdout");
  validate_command->callback([flags, &result] { result.exit_code = validate(*flags); });

  auto* show_command = command->add_subcommand("show", "Print the matrix as tables");
  show_command->footer(
    "Examples:\n"
    "  envsetup matrix show --framework torch\n"
    "  envsetup matrix show --domain cuda\n"
    "  envsetup matrix show --domain gpus --json\n"
    "  envsetup matrix show --source           # embedded, an installed update, or --matrix DIR");
  show_command->add_option("--framework", flags->framework, "only this framework");
  show_command->add_option("--domain", flags->domain, "only this part of the matrix")
    ->check(CLI::IsMember({"cuda", "gpus", "cudnn", "frameworks"}));
  show_command->add_option("--matrix", flags->directory, "matrix folder (default: built-in)");
  show_command->add_flag("--source", flags->source,
                         "only which matrix is in effect: embedded, update PATH or directory PATH, its "
                         "`generated` time and sha256");
  show_command->add_flag("--json", flags->json, "print JSON on stdout");
  show_command->callback([flags, &result] { result.exit_code = show(*flags); });
  add_matrix_check_index(*command, result);

  add_matrix_update_commands(*command, result);
}

}  // namespace envsetup::cli
