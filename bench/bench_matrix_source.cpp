// SPDX-License-Identifier: Apache-2.0
// Loading the matrix in effect, which every command pays once (target: <= 5 ms with its
// checks): the embedded copy; an installed update (signature, every file's SHA-256, then
// validation); the part one `resolve` needs. Baseline: parsing and validating the embedded
// files alone (matrix::load_matrix).
#include <envsetup/app/matrix_source.hpp>
#include <envsetup/app/matrix_update_manifest.hpp>
#include <envsetup/app/matrix_update_store.hpp>
#include <envsetup/util/signature.hpp>

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <unistd.h>

namespace {

using namespace envsetup;
namespace fs = std::filesystem;

// A throwaway key for the benchmark only.
constexpr const char* k_private =
  "-----BEGIN PRIVATE KEY-----\n"
  "MC4CAQAwBQYDK2VwBCIEIDeBMzO9ErQfZ/0zSAcD9TMFjcsDd8Z7vrcSfUEObAs4\n"
  "-----END PRIVATE KEY-----\n";

void check(bool ok, const char* what)
{
  if (!ok) {
    std::cerr << "bench_matrix_source: " << what << '\n';
    std::abort();
  }
}

// An updates folder holding one installed bundle of the embedded files, recorded with its signer.
const fs::path& installed_updates()
{
  static const fs::path root = [] {
    fs::path path = fs::temp_directory_path() / ("envsetup-bench-updates-" + std::to_string(::getpid()));
    fs::remove_all(path);
    auto key = util::PrivateKey::from_pem(k_private, "bench");
    check(key.ok(), "key");
    auto public_key = key->public_key();
    check(public_key.ok(), "public key");
    app::VerifiedBundle bundle;
    bundle.files = matrix::embedded_matrix_files();
    bundle.manifest = app::describe_files(bundle.files);
    bundle.manifest.generated = "2099-01-01T00:00:00Z";
    bundle.manifest.key = public_key->fingerprint();
    bundle.manifest_text = app::manifest_text(bundle.manifest);
    bundle.signature = key->sign(bundle.manifest_text).value();
    bundle.signer_pem = public_key->pem();
    const app::MatrixUpdateStore store(path);
    auto lock = store.lock();
    check(lock.ok(), "lock");
    check(store.install(bundle, *lock).ok(), "install");
    std::atexit([] { fs::remove_all(installed_updates()); });
    return path;
  }();
  return root;
}

app::MatrixChoice choice(bool with_update)
{
  app::MatrixChoice result;
  result.updates = with_update ? installed_updates() : fs::path("/nonexistent/envsetup-bench");
  return result;
}

void BM_Baseline_ParseValidateEmbedded(benchmark::State& state)
{
  for (auto _ : state) {
    auto loaded = matrix::load_matrix(matrix::embedded_matrix_files(), "embedded");
    benchmark::DoNotOptimize(loaded);
  }
}
BENCHMARK(BM_Baseline_ParseValidateEmbedded)->Unit(benchmark::kMillisecond);

void BM_InEffect_Embedded(benchmark::State& state)
{
  const auto embedded = choice(false);
  for (auto _ : state) {
    auto loaded = app::load_matrix_with_info(embedded);
    check(loaded.ok() && loaded->info.source == "embedded", "embedded");
    benchmark::DoNotOptimize(loaded);
  }
}
BENCHMARK(BM_InEffect_Embedded)->Unit(benchmark::kMillisecond);

void BM_InEffect_InstalledUpdate(benchmark::State& state)
{
  const auto update = choice(true);
  for (auto _ : state) {
    auto loaded = app::load_matrix_with_info(update);
    check(loaded.ok() && loaded->info.source == "update", "update");
    benchmark::DoNotOptimize(loaded);
  }
}
BENCHMARK(BM_InEffect_InstalledUpdate)->Unit(benchmark::kMillisecond);

void BM_InEffect_InstalledUpdate_ResolveTorch(benchmark::State& state)
{
  const auto update = choice(true);
  for (auto _ : state) {
    auto loaded = app::load_matrix_for_with_info(update, "torch");
    check(loaded.ok() && loaded->info.source == "update", "update (torch)");
    benchmark::DoNotOptimize(loaded);
  }
}
BENCHMARK(BM_InEffect_InstalledUpdate_ResolveTorch)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();

// The cost of one trusted key read from PEM text (every command that loads an installed
// update reads the built-in keys and the keys folder).
void BM_PublicKeyFromPem(benchmark::State& state)
{
  const std::string pem =
    "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n";
  for (auto _ : state) {
    auto key = envsetup::util::PublicKey::from_pem(pem, "bench");
    benchmark::DoNotOptimize(key);
  }
}
BENCHMARK(BM_PublicKeyFromPem)->Unit(benchmark::kMicrosecond);
