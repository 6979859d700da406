# SPDX-License-Identifier: Apache-2.0
# envsetup_embed_matrix(OUTPUT <file.cpp> FILES <json>...) generates a C++ source that holds
# each matrix file as a string literal, so the binary works without the matrix/ folder.
# The generated file is rebuilt whenever one of the JSON files changes.
function(envsetup_embed_matrix)
  cmake_parse_arguments(ARG "" "OUTPUT" "FILES" ${ARGN})
  add_custom_command(
    OUTPUT ${ARG_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${ARG_OUTPUT} "-DFILES=${ARG_FILES}"
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_matrix_script.cmake
    DEPENDS ${ARG_FILES} ${PROJECT_SOURCE_DIR}/cmake/embed_matrix_script.cmake
    COMMENT "Embedding the compatibility matrix"
    VERBATIM)
endfunction()
