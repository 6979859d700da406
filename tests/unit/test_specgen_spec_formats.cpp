// SPDX-License-Identifier: Apache-2.0
#include "matrix_fixture.hpp"

#include <envsetup/app/templates.hpp>
#include <envsetup/resolve/resolver.hpp>
#include <envsetup/specgen/container_image.hpp>
#include <envsetup/specgen/spec_formats.hpp>

#include <gtest/gtest.h>

namespace envsetup::specgen {
namespace {

using testing::host;
using testing::real_matrix;
using testing::request;

core::Plan plan_for(const std::string& framework, const std::string& driver, const std::string& gpu,
                    const std::string& python, const std::string& cuda = "", bool cpu = false)
{
  auto resolution = resolve::resolve(
    real_matrix(), host(driver, gpu.empty() ? std::vector<std::string>{} : std::vector<std::string>{gpu}),
    request(framework, python, cuda, cpu));
  EXPECT_TRUE(resolution && resolution->plan) << framework;
  return resolution && resolution->plan ? *resolution->plan : core::Plan{};
}

SpecInput input_for(core::Plan plan, PipOptions pip = {})
{
  return SpecInput{std::move(plan), {"driver 550.54.15 (--driver)"}, "9.9.9", std::move(pip)};
}

TemplateVariables variables(std::string_view format_name, const SpecInput& input)
{
  const auto format = find_spec_format(format_name);
  EXPECT_TRUE(format);
  auto result = spec_variables(*format, input);
  EXPECT_TRUE(result) << result.error().message;
  return result.value_or({});
}

TEST(SpecFormats, FindsFormatsByNameAndRejectsOthers)
{
  EXPECT_EQ(find_spec_format("conda")->template_name, "spec/conda.yml");
  EXPECT_EQ(find_spec_format("pip")->default_output, "requirements.txt");
  const auto unknown = find_spec_format("poetry");
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, util::ErrorKind::usage);
}

TEST(SpecFormats, EveryFormatRendersItsShippedTemplateForEveryKindOfPlan)
{
  const std::vector<core::Plan> plans{
    plan_for("torch==2.5.1", "550.54.15", "8.9", "3.12"),
    plan_for("torch==1.12.1", "470.82.01", "7.5", "3.10"),
    plan_for("tensorflow==2.11.0", "525.60.13", "7.5", "3.10"),
    plan_for("tensorflow==2.17.0", "550.54.15", "8.6", "3.12"),
    plan_for("jax==0.4.30", "550.54.15", "9.0", "3.12"),
    plan_for("torch==2.5.1", "", "", "3.11", "", true),
  };
  for (const auto& format : spec_formats()) {
    const auto text = app::template_text(format.template_name);
    ASSERT_TRUE(text) << format.template_name;
    for (const auto& plan : plans) {
      const auto rendered = render_spec(format, input_for(plan), *text);
      ASSERT_TRUE(rendered) << format.name << " " << plan.framework << ": " << rendered.error().message;
      EXPECT_TRUE(rendered->starts_with("# " + plan.display_name + " " + plan.version->text())) << *rendered;
      EXPECT_NE(rendered->find("# written by envsetup 9.9.9\n"), std::string::npos);
      EXPECT_EQ(rendered->find("{{"), std::string::npos);
    }
  }
}

TEST(SpecFormats, HeaderSaysWhatWasResolvedForWhat)
{
  auto plan = plan_for("torch==2.5.1", "550.54.15", "8.9", "3.12");
  plan.notes.clear();  // notes: SystemToolkitStepGoesToPipAndPixiAndNotesToEveryHeader
  const auto header = spec_header(input_for(plan));
  EXPECT_EQ(header,
            "# PyTorch 2.5.1 (cu124), CUDA 12.4.1, cuDNN 9.1.0.70, Python 3.12\n"
            "# resolved for driver 550.54.15 (--driver)\n"
            "# written by envsetup 9.9.9");
}

TEST(SpecFormats, PipSpecAddsNumpyAfterThePinsAndKeepsTheExtraIndex)
{
  const auto vars = variables("pip", input_for(plan_for("torch==2.5.1", "550.54.15", "8.9", "3.12"),
                                               {{"torchvision"}, "http://127.0.0.1:1/whl"}));
  EXPECT_EQ(vars.at("extra_index_url"), "http://127.0.0.1:1/whl/cu124");
  EXPECT_EQ(vars.at("requirements"), "torch==2.5.1+cu124\ntorchvision==0.20.1+cu124\nnumpy");
  EXPECT_FALSE(spec_variables(*find_spec_format("pip"),
                              input_for(plan_for("torch==2.5.1", "550.54.15", "8.9", "3.12"), {{"torchtext"}, {}})));
}

TEST(SpecFormats, NumpyTwoOnlyForBuildsCompiledAgainstIt)
{
  const auto numpy = [](const std::string& framework, const std::string& version) {
    core::Plan plan;
    plan.framework = framework;
    plan.version = core::Version::parse(version).value();
    return numpy_requirement(plan);
  };
  EXPECT_EQ(numpy("torch", "2.3.1"), "numpy<2");
  EXPECT_EQ(numpy("torch", "2.4.0"), "numpy");
  EXPECT_EQ(numpy("tensorflow", "2.17.1"), "numpy<2");
  EXPECT_EQ(numpy("tensorflow", "2.18.0"), "numpy");
  EXPECT_EQ(numpy("jax", "0.4.29"), "numpy<2");
  EXPECT_EQ(numpy("jax", "0.4.30"), "numpy");
  EXPECT_EQ(numpy_requirement(core::Plan{}), "");
}

TEST(SpecFormats, CondaPinsCudaVersionAndASystemToolkitOnlyWhenThePlanNeedsOne)
{
  const auto wheels = variables("conda", input_for(plan_for("torch==2.5.1", "550.54.15", "8.9", "3.12")));
  EXPECT_EQ(wheels.at("python"), "3.12");
  EXPECT_EQ(wheels.at("cuda_version"), "12.4");
  EXPECT_EQ(wheels.at("cudatoolkit"), "");
  EXPECT_EQ(wheels.at("conda_forge_build"), "pytorch=2.5.1=cuda*");
  EXPECT_EQ(wheels.at("pip_requirements"),
            "      - --extra-index-url https://download.pytorch.org/whl/cu124\n"
            "      - torch==2.5.1+cu124\n      - numpy");
  const auto system = variables("conda", input_for(plan_for("tensorflow==2.11.0", "525.60.13", "7.5", "3.10")));
  EXPECT_EQ(system.at("cudatoolkit"), "11.2");
  EXPECT_EQ(system.at("cudnn"), "8.1");
  const auto cpu = variables("conda", input_for(plan_for("jax==0.4.30", "", "", "3.11", "", true)));
  EXPECT_EQ(cpu.at("cuda_version"), "");
  EXPECT_EQ(cpu.at("conda_forge_build"), "");
  EXPECT_EQ(variables("conda", input_for(plan_for("jax==0.4.30", "550.54.15", "9.0", "3.12"))).at("conda_forge_build"),
            "jaxlib=0.4.30=cuda*");
}

TEST(SpecFormats, PixiWritesExtrasAsInlineTables)
{
  const auto vars = variables("pixi", input_for(plan_for("tensorflow==2.17.0", "550.54.15", "8.6", "3.12")));
  EXPECT_EQ(vars.at("pypi_dependencies"),
            "tensorflow = { version = \"==2.17.0\", extras = [\"and-cuda\"] }\nnumpy = \"<2\"");
  EXPECT_EQ(vars.at("extra_index_url"), "");
  const auto torch = variables("pixi", input_for(plan_for("torch==2.5.1", "550.54.15", "8.9", "3.12")));
  EXPECT_EQ(torch.at("pypi_dependencies"), "torch = \"==2.5.1+cu124\"\nnumpy = \"*\"");
}

TEST(SpecFormats, SystemToolkitStepGoesToPipAndPixiAndNotesToEveryHeader)
{
  auto plan = plan_for("tensorflow==2.13.1", "535.104.05", "8.6", "3.11");
  ASSERT_TRUE(plan.system_toolkit && plan.toolkit_cuda && plan.toolkit_cudnn);
  plan.notes = {"first note", "second note"};
  const std::string cuda = plan.toolkit_cuda->text();
  const std::string cudnn = plan.toolkit_cudnn->text();
  const std::string prefix = "~/cuda-" + cuda + "-cudnn-" + cudnn;
  const auto lines = system_toolkit_lines(plan);
  EXPECT_TRUE(lines.starts_with("# needs CUDA " + cuda + " + cuDNN " + cudnn + " on the system")) << lines;
  EXPECT_TRUE(lines.ends_with("\n#   envsetup install --cuda " + cuda + " --cudnn " + cudnn + " --prefix " + prefix +
                              "\n#   source " + prefix + "/activate"))
    << lines;
  EXPECT_EQ(variables("pip", input_for(plan)).at("system_toolkit"), lines);
  EXPECT_EQ(variables("pixi", input_for(plan)).at("system_toolkit"), lines);
  EXPECT_NE(spec_header(input_for(plan)).find("\n# note: first note\n# note: second note\n"), std::string::npos);
  EXPECT_EQ(system_toolkit_lines(plan_for("torch==2.5.1", "550.54.15", "8.9", "3.12")), "");
}

TEST(SpecFormats, AnAarch64PlanNamesItsPlatformInPixiAndDocker)
{
  auto plan = plan_for("torch==2.5.1", "550.54.15", "8.9", "3.12");
  EXPECT_EQ(variables("pixi", input_for(plan)).at("platform"), "linux-64");
  EXPECT_EQ(variables("docker", input_for(plan)).at("docker_platform"), "");
  plan.platform = core::Platform::linux_aarch64;
  EXPECT_EQ(variables("pixi", input_for(plan)).at("platform"), "linux-aarch64");
  EXPECT_EQ(variables("docker", input_for(plan)).at("docker_platform"), "linux/arm64");
}

TEST(SpecFormats, ContainersInstallThePipSpecWithShellQuoting)
{
  const auto vars = variables("docker", input_for(plan_for("jax==0.4.30", "550.54.15", "9.0", "3.12")));
  EXPECT_EQ(vars.at("pip_install"), "pip install --no-cache-dir 'jax[cuda12]==0.4.30' numpy");
}

TEST(ContainerImage, RuntimeImageOnTheUbuntuWhosePythonMatches)
{
  auto plan = plan_for("torch==2.5.1", "550.54.15", "8.9", "3.10");
  auto image = container_image(plan);
  EXPECT_EQ(image.image, "nvidia/cuda:12.4.1-runtime-ubuntu22.04");
  EXPECT_FALSE(image.needs_ppa);
  plan.python = core::Version::parse("3.12").value();
  image = container_image(plan);
  EXPECT_EQ(image.image, "nvidia/cuda:12.4.1-runtime-ubuntu22.04");  // no 24.04 image for 12.4
  EXPECT_TRUE(image.needs_ppa);
  plan.cuda = core::Version::parse("12.6.3").value();
  EXPECT_EQ(container_image(plan).image, "nvidia/cuda:12.6.3-runtime-ubuntu24.04");
  plan.cuda = core::Version::parse("13.2.1").value();  // newer than the table: the plan's own
  EXPECT_EQ(container_image(plan).image, "nvidia/cuda:13.2.1-runtime-ubuntu24.04");
}

TEST(ContainerImage, SystemToolkitGetsDevelWithCudnn)
{
  const auto image = container_image(plan_for("tensorflow==2.11.0", "525.60.13", "7.5", "3.8"));
  EXPECT_EQ(image.image, "nvidia/cuda:11.2.2-cudnn8-devel-ubuntu20.04");
  EXPECT_FALSE(image.needs_ppa);
  core::Plan newer;
  newer.system_toolkit = true;
  newer.cuda = core::Version::parse("12.4").value();
  newer.cudnn = core::Version::parse("9.1").value();
  newer.python = core::Version::parse("3.10").value();
  EXPECT_EQ(container_image(newer).image, "nvidia/cuda:12.4.1-cudnn-devel-ubuntu22.04");
}

TEST(ContainerImage, CpuPlansUsePlainUbuntu)
{
  EXPECT_EQ(container_image(plan_for("torch==2.5.1", "", "", "3.10", "", true)).image, "ubuntu:22.04");
  EXPECT_EQ(container_image(plan_for("torch==2.5.1", "", "", "3.11", "", true)).image, "ubuntu:24.04");
}

}  // namespace
}  // namespace envsetup::specgen
