# SPDX-License-Identifier: Apache-2.0
# envsetup_embed_files(OUTPUT <file.cpp> HEADER <include> NAMESPACE <ns> FUNCTION <name>
#                      [BASE_DIR <dir>] FILES <file>...) generates a C++ source holding each file as a string
# literal (the matrix, the templates), so the binary works without the source tree. The
# generated file is rebuilt whenever one of the files changes. Each file is named by its path
# relative to BASE_DIR ("verify/torch_check.py"), or by its file name without BASE_DIR.
function(envsetup_embed_files)
  cmake_parse_arguments(ARG "" "OUTPUT;HEADER;NAMESPACE;FUNCTION;BASE_DIR" "FILES" ${ARGN})
  add_custom_command(
    OUTPUT ${ARG_OUTPUT}
    COMMAND ${CMAKE_COMMAND} -DOUTPUT=${ARG_OUTPUT} "-DFILES=${ARG_FILES}" -DHEADER=${ARG_HEADER}
            -DNAMESPACE=${ARG_NAMESPACE} -DFUNCTION=${ARG_FUNCTION} -DBASE_DIR=${ARG_BASE_DIR}
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_files_script.cmake
    DEPENDS ${ARG_FILES} ${PROJECT_SOURCE_DIR}/cmake/embed_files_script.cmake
    COMMENT "Embedding ${ARG_FUNCTION}"
    VERBATIM)
endfunction()
