// SPDX-License-Identifier: Apache-2.0
// Simple-index pages against each other: a page of letters (the baseline), the same page with
// every character an `&` without a `;` (entity decoding must stay linear: the ratio to the
// baseline stays a small constant), and 1 MiB of nested `<a` (the HTML scanner's worst case).
// Run: build/release/bench/bench_pyindex
#include <envsetup/pyindex/simple_index.hpp>

#include <benchmark/benchmark.h>

#include <string>

namespace {

std::string page_of(char fill)
{
  const std::string field(4000, fill);
  std::string page;
  for (int i = 0; i < 2000; ++i) {
    page += "<a href=\"x" + std::to_string(i) + ".whl" + field + "\">" + field + "</a>\n";
  }
  return page;
}

void parse(benchmark::State& state, const std::string& page)
{
  for (auto _ : state) {
    auto files = envsetup::pyindex::parse_simple_html(page);
    benchmark::DoNotOptimize(files);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(page.size()));
}

void BM_Baseline_PlainPage(benchmark::State& state)
{
  parse(state, page_of('a'));
}
BENCHMARK(BM_Baseline_PlainPage)->Unit(benchmark::kMillisecond);

void BM_EntityBombPage(benchmark::State& state)
{
  parse(state, page_of('&'));
}
BENCHMARK(BM_EntityBombPage)->Unit(benchmark::kMillisecond);

void BM_NestedAnchors(benchmark::State& state)
{
  std::string nested;
  for (int i = 0; i < (1 << 17); ++i) {
    nested += "<a x=\"\" ";
  }
  parse(state, nested);
}
BENCHMARK(BM_NestedAnchors)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
