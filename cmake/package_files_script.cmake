# SPDX-License-Identifier: Apache-2.0
# Build step of cmake/Packaging.cmake (cmake -P), run after every build of envsetup:
#   GENERATED_MAN  folder of generated man pages (*.1); may be absent (no page is then written)
#   CHANGELOG      the configured Debian changelog
#   GZIP           the gzip program
#   OUTPUT         folder written: man/man1/*.1.gz and changelog.Debian.gz, each `gzip -9n`
#                  (maximum compression, no name or time stamp: what lintian and reproducible
#                  builds expect). Pages that no longer exist in GENERATED_MAN are removed.
cmake_minimum_required(VERSION 3.25)
foreach(variable GENERATED_MAN CHANGELOG GZIP OUTPUT)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "package_files_script.cmake: ${variable} is not set")
  endif()
endforeach()

# gzip -9n SOURCE > DESTINATION, rewritten only when SOURCE changed (keeps install fast).
function(gzip_file source destination)
  if(EXISTS "${destination}" AND NOT "${source}" IS_NEWER_THAN "${destination}")
    return()
  endif()
  execute_process(COMMAND "${GZIP}" -9n -c "${source}" OUTPUT_FILE "${destination}.tmp"
    RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    file(REMOVE "${destination}.tmp")
    message(FATAL_ERROR "gzip -9n ${source} failed: ${status}")
  endif()
  file(RENAME "${destination}.tmp" "${destination}")
endfunction()

file(MAKE_DIRECTORY "${OUTPUT}/man/man1")
set(wanted "")
if(IS_DIRECTORY "${GENERATED_MAN}")
  file(GLOB pages LIST_DIRECTORIES false "${GENERATED_MAN}/*.1")
  foreach(page IN LISTS pages)
    get_filename_component(name "${page}" NAME)
    gzip_file("${page}" "${OUTPUT}/man/man1/${name}.gz")
    list(APPEND wanted "${name}.gz")
  endforeach()
endif()
file(GLOB existing LIST_DIRECTORIES false RELATIVE "${OUTPUT}/man/man1" "${OUTPUT}/man/man1/*")
foreach(name IN LISTS existing)
  if(NOT name IN_LIST wanted)
    file(REMOVE "${OUTPUT}/man/man1/${name}")
  endif()
endforeach()
gzip_file("${CHANGELOG}" "${OUTPUT}/changelog.Debian.gz")
