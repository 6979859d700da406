# SPDX-License-Identifier: Apache-2.0
# One INTERFACE target that every envsetup target links: language level, warnings,
# sanitizers. Nothing here is global, so third-party code is not affected.
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)

add_library(envsetup_settings INTERFACE)
target_compile_options(envsetup_settings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wsign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Woverloaded-virtual -Wnull-dereference
  -Wimplicit-fallthrough)
# GCC 12 reports false -Wrestrict positives inside libstdc++'s std::string at -O2/-O3
# (GCC bug 105329); they are not about our code.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(envsetup_settings INTERFACE -Wno-restrict)
endif()
if(ENVSETUP_WARNINGS_AS_ERRORS)
  target_compile_options(envsetup_settings INTERFACE -Werror)
endif()
if(ENVSETUP_SANITIZE)
  target_compile_options(envsetup_settings INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(envsetup_settings INTERFACE -fsanitize=address,undefined)
  # libstdc++'s own checks: dereferencing an empty std::optional or indexing past a vector's
  # end aborts instead of reading garbage (neither sanitizer sees those).
  target_compile_definitions(envsetup_settings INTERFACE _GLIBCXX_ASSERTIONS)
endif()
target_include_directories(envsetup_settings INTERFACE ${PROJECT_SOURCE_DIR}/src)
