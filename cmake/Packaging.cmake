# SPDX-License-Identifier: Apache-2.0
# Install rules and the CPack Debian package (docs/packaging.md).
#
#   cmake --install build/release [--prefix ~/.local]   bin/envsetup, man pages, completions, docs
#   cpack --preset release                              build/release/envsetup_<version>-1_<arch>.deb
#
# Contract with cmake/GeneratedDocs.cmake (target envsetup_generated_docs): it writes
#   ${PROJECT_BINARY_DIR}/generated/man/man1/*.1
#   ${PROJECT_BINARY_DIR}/generated/completions/{envsetup.bash,_envsetup,envsetup.fish}
# This file installs them when that target exists (required then; checked at the end of the
# top-level CMakeLists.txt, so the include order does not matter) and otherwise only what is
# there (OPTIONAL). matrix/ and templates/ are compiled into the binary and not installed.
include(GNUInstallDirs)

set(ENVSETUP_PACKAGE_MAINTAINER "envsetup maintainers <maintainers@users.noreply.r-seed-09930bd6.example>"
  CACHE STRING "Maintainer field of the Debian package (Name <address>)")
set(ENVSETUP_GENERATED_DIR ${PROJECT_BINARY_DIR}/generated)
set(ENVSETUP_PACKAGE_FILES_DIR ${PROJECT_BINARY_DIR}/package-files)
set(ENVSETUP_DEB_VERSION ${PROJECT_VERSION}-1)

# Folders created by `cmake --install` / CPack are 0755 whatever the umask (lintian checks).
set(CMAKE_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
  GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)

install(TARGETS envsetup RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}
  FILES_MATCHING PATTERN "*.md")
# Debian's places: a machine-readable copyright (the license is Apache-2.0, whose full text
# Debian ships in /usr/share/common-licenses) and the changelog, gzip -9n.
install(FILES ${PROJECT_SOURCE_DIR}/packaging/debian/copyright
  ${ENVSETUP_PACKAGE_FILES_DIR}/changelog.Debian.gz DESTINATION ${CMAKE_INSTALL_DOCDIR})

# Man pages compressed with gzip -9n and the changelog, rewritten after each build.
set(CPACK_PACKAGE_CONTACT "${ENVSETUP_PACKAGE_MAINTAINER}")
configure_file(${PROJECT_SOURCE_DIR}/packaging/debian/changelog.in
  ${ENVSETUP_PACKAGE_FILES_DIR}/changelog.Debian @ONLY)
find_program(ENVSETUP_GZIP gzip REQUIRED)
add_custom_target(envsetup_package_files ALL
  COMMAND ${CMAKE_COMMAND} -DGENERATED_MAN=${ENVSETUP_GENERATED_DIR}/man/man1
    -DCHANGELOG=${ENVSETUP_PACKAGE_FILES_DIR}/changelog.Debian -DGZIP=${ENVSETUP_GZIP}
    -DOUTPUT=${ENVSETUP_PACKAGE_FILES_DIR} -P ${PROJECT_SOURCE_DIR}/cmake/package_files_script.cmake
  COMMENT "Compressing man pages and the Debian changelog" VERBATIM)

# Runs once the whole top-level directory (and cmake/GeneratedDocs.cmake, wherever included)
# has been read: installs the generated man pages and completions, and writes
# ${PROJECT_BINARY_DIR}/package-files/expected.json, the paths (below the prefix) every
# install and package must hold, for tests/cli/test_cli_packaging.py.
function(envsetup_generated_install_rules)
  set(expected "\"${CMAKE_INSTALL_BINDIR}/envsetup\"" "\"${CMAKE_INSTALL_DOCDIR}/README.md\""
    "\"${CMAKE_INSTALL_DOCDIR}/cli.md\"" "\"${CMAKE_INSTALL_DOCDIR}/copyright\""
    "\"${CMAKE_INSTALL_DOCDIR}/changelog.Debian.gz\"")
  set(completions ${ENVSETUP_GENERATED_DIR}/completions)
  if(TARGET envsetup_generated_docs)
    add_dependencies(envsetup_package_files envsetup_generated_docs)
    set(optional "")
    set(generated_docs true)
    list(APPEND expected "\"${CMAKE_INSTALL_MANDIR}/man1/envsetup.1.gz\""
      "\"${CMAKE_INSTALL_DATADIR}/bash-completion/completions/envsetup\""
      "\"${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d/envsetup.fish\"")
  else()
    set(optional OPTIONAL)
    set(generated_docs false)
  endif()
  install(DIRECTORY ${ENVSETUP_PACKAGE_FILES_DIR}/man/man1 DESTINATION ${CMAKE_INSTALL_MANDIR}
    FILES_MATCHING PATTERN "*.1.gz")
  install(FILES ${completions}/envsetup.bash RENAME envsetup
    DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions ${optional})
  # zsh: Debian's zsh reads /usr/share/zsh/vendor-completions (the package's place) and
  # /usr/local/share/zsh/site-functions, not /usr/local/share/zsh/vendor-completions; so the
  # folder is chosen by the prefix at install time (CPack installs with the prefix /usr).
  set(zsh_source ${completions}/_envsetup)
  install(CODE "
    string(REGEX REPLACE \"(.)/+$\" \"\\\\1\" envsetup_prefix \"\${CMAKE_INSTALL_PREFIX}\")
    if(envsetup_prefix STREQUAL \"/usr\")
      set(envsetup_zsh_dir \"${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions\")
    else()
      set(envsetup_zsh_dir \"${CMAKE_INSTALL_DATADIR}/zsh/site-functions\")
    endif()
    if(EXISTS \"${zsh_source}\" OR \"${optional}\" STREQUAL \"\")
      file(INSTALL DESTINATION \"\${CMAKE_INSTALL_PREFIX}/\${envsetup_zsh_dir}\" TYPE FILE FILES \"${zsh_source}\")
    endif()")
  install(FILES ${completions}/envsetup.fish
    DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d ${optional})
  list(JOIN expected ", " expected)
  # The zsh completion's place depends on the prefix (see above): /usr, or any other.
  set(zsh "{\"/usr\": \"${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions/_envsetup\", \"other\": \"${CMAKE_INSTALL_DATADIR}/zsh/site-functions/_envsetup\"}")
  file(CONFIGURE OUTPUT ${ENVSETUP_PACKAGE_FILES_DIR}/expected.json
    CONTENT "{\"generated_docs\": ${generated_docs}, \"paths\": [${expected}], \"zsh\": ${zsh}}\n")
endfunction()
cmake_language(DEFER DIRECTORY ${PROJECT_SOURCE_DIR} CALL envsetup_generated_install_rules)

# The Debian package: `cpack --preset release` or `cmake --build --preset release --target package`.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME envsetup)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "The envsetup authors")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${ENVSETUP_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE https://github.com/envsetup/envsetup)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Not linked, but `install --framework` runs `python3 -m venv` and downloads go over HTTPS.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "ca-certificates, python3, python3-venv")
# The first line is the synopsis; lines of the extended description stay within 80 columns.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "set up CUDA, cuDNN and GPU deep learning frameworks
envsetup knows which NVIDIA driver runs which CUDA, which GPU architectures
each PyTorch, TensorFlow and JAX build was compiled for, which cuDNN goes with
which CUDA and which Python each release supports. It detects the host,
chooses the combination that works on it (or says why none does), writes
specs for pip, conda, pixi, Docker and Apptainer, installs CUDA toolkit and
cuDNN prefixes and framework venvs, and verifies and diagnoses GPU setups.")
set(CPACK_SOURCE_GENERATOR "")
include(CPack)
