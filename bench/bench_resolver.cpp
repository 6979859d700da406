// SPDX-License-Identifier: Apache-2.0
// The resolver core per query (target: <= 1 ms), and loading the embedded matrix, which every
// command pays once. Baseline: BM_Baseline_CopyHost, the cost of building a query's inputs.
#include <envsetup/matrix/load.hpp>
#include <envsetup/resolve/resolver.hpp>

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <iostream>

namespace {

using namespace envsetup;

const matrix::Matrix& shipped_matrix()
{
  static const matrix::Matrix loaded = [] {
    auto result = matrix::load_matrix(matrix::embedded_matrix_files(), "embedded");
    if (!result) {
      std::cerr << result.error().message << '\n';
      std::abort();
    }
    return std::move(result).value();
  }();
  return loaded;
}

core::HostFacts make_host(const char* driver, std::initializer_list<const char*> gpus)
{
  core::HostFacts host;
  if (driver != nullptr) {
    host.driver = core::Version::parse(driver).value();
  }
  for (const char* gpu : gpus) {
    host.gpus.push_back({core::ComputeCapability::parse(gpu).value(), ""});
  }
  return host;
}

void run_query(benchmark::State& state, const char* framework, const core::HostFacts& host)
{
  const auto& m = shipped_matrix();
  const auto request = core::Request::parse_framework(framework).value();
  for (auto _ : state) {
    auto resolution = resolve::resolve(m, host, request);
    benchmark::DoNotOptimize(resolution);
  }
}

void BM_Baseline_CopyHost(benchmark::State& state)
{
  const auto host = make_host("550.54.15", {"8.9", "9.0"});
  for (auto _ : state) {
    core::HostFacts copy = host;
    benchmark::DoNotOptimize(copy);
  }
}

// Every torch release and variant is evaluated (the full-matrix query).
void BM_Resolve_TorchAnyVersion(benchmark::State& state)
{
  run_query(state, "torch", make_host("550.54.15", {"8.9"}));
}

// Old Volta host: most candidates are rejected and explained.
void BM_Resolve_TorchOldVoltaHost(benchmark::State& state)
{
  run_query(state, "torch", make_host("470.82.01", {"7.0", "7.0"}));
}

// Nothing works: every candidate is evaluated and hints are computed.
void BM_Resolve_RefusalWithHints(benchmark::State& state)
{
  run_query(state, "torch", make_host(nullptr, {"12.0", "6.1"}));
}

void BM_Resolve_TensorFlow(benchmark::State& state)
{
  run_query(state, "tensorflow", make_host("535.104.05", {"8.6"}));
}

void BM_Resolve_BareToolkit(benchmark::State& state)
{
  run_query(state, "none", make_host("535.104.05", {"8.6"}));
}

void BM_LoadEmbeddedMatrix(benchmark::State& state)
{
  const auto files = matrix::embedded_matrix_files();
  for (auto _ : state) {
    auto loaded = matrix::load_matrix(files, "embedded");
    benchmark::DoNotOptimize(loaded);
  }
}

}  // namespace

BENCHMARK(BM_Baseline_CopyHost);
BENCHMARK(BM_Resolve_TorchAnyVersion)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Resolve_TorchOldVoltaHost)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Resolve_RefusalWithHints)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Resolve_TensorFlow)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Resolve_BareToolkit)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_LoadEmbeddedMatrix)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
