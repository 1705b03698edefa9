# Installation: `cmake --install BUILD [--prefix DIR]` puts the `seshat` command, the public
# client library (libseshat.so.0 with its headers, a pkg-config file and a CMake package), the
# widget files, the documentation and the example systemd unit and config where a packager
# expects them. Included from the top-level CMakeLists.txt after add_subdirectory(src).
#
# The public library is built from the static seshat_client (whole) plus what it needs of
# seshat_visitors, seshat_store, seshat_core and seshat_base; SQLite and OpenSSL stay shared dependencies (DT_NEEDED). Its
# version script exports the public API only (seshat_*, seshat::Client, seshat::Error,
# seshat::format_time), so no internal symbol becomes ABI by accident. Nothing here may need
# Beast, libstrophe or spdlog: the link fails (--no-undefined) if it did without linking them.

include(CMakePackageConfigHelpers)

set(seshat_library_soversion 0)
set(seshat_package_dir ${CMAKE_INSTALL_LIBDIR}/cmake/Seshat)

# --- the public shared library: target seshat_library, file libseshat.so.0, Seshat::seshat ---
# (The target cannot be named `seshat`: that is the command.) A shared library needs one source
# of its own; everything else comes from the static libraries.
set(seshat_library_stub ${CMAKE_CURRENT_BINARY_DIR}/seshat_library_stub.cpp)
file(CONFIGURE OUTPUT ${seshat_library_stub}
     CONTENT "// Empty: libseshat is made of the static library seshat_client (cmake/install.cmake).\n")
add_library(seshat_library SHARED ${seshat_library_stub})
add_library(Seshat::seshat ALIAS seshat_library)  # the same name inside the tree as installed
set_target_properties(seshat_library PROPERTIES
  OUTPUT_NAME seshat
  EXPORT_NAME seshat
  VERSION ${PROJECT_VERSION}
  SOVERSION ${seshat_library_soversion}
  LINK_DEPENDS ${PROJECT_SOURCE_DIR}/cmake/libseshat.map)
target_link_libraries(seshat_library PRIVATE "$<LINK_LIBRARY:WHOLE_ARCHIVE,seshat_client>")
target_link_options(seshat_library PRIVATE
  "LINKER:--version-script=${PROJECT_SOURCE_DIR}/cmake/libseshat.map")
if(NOT SESHAT_SANITIZE)
  # The sanitizers' runtime is resolved by the executable, so only check without them.
  target_link_options(seshat_library PRIVATE "LINKER:--no-undefined")
endif()
# Consumers see include/ only (the installed headers), never src/.
target_include_directories(seshat_library INTERFACE
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)

# --- the command ---
# Defined in src/app; guarded so that the rest installs while the command is still being built.
if(TARGET seshat)
  install(TARGETS seshat RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()

# --- library and headers ---
install(TARGETS seshat_library EXPORT SeshatTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/seshat/
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/seshat
  FILES_MATCHING PATTERN "*.h" PATTERN "*.hpp")

# --- pkg-config: written at install time so that it names the prefix actually installed to
# (`cmake --install --prefix DIR` overrides the configured one) ---
set(seshat_pc_file ${CMAKE_CURRENT_BINARY_DIR}/seshat.pc)
install(CODE "
  set(seshat_pc_template \"${PROJECT_SOURCE_DIR}/cmake/seshat.pc.in\")
  set(seshat_pc_file \"${seshat_pc_file}\")
  set(seshat_pc_libdir \"${CMAKE_INSTALL_LIBDIR}\")
  set(seshat_pc_includedir \"${CMAKE_INSTALL_INCLUDEDIR}\")
  set(seshat_pc_version \"${PROJECT_VERSION}\")")
install(SCRIPT ${PROJECT_SOURCE_DIR}/cmake/write_pc.cmake)
install(FILES ${seshat_pc_file} DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# --- CMake package: find_package(Seshat) gives Seshat::seshat ---
install(EXPORT SeshatTargets NAMESPACE Seshat:: DESTINATION ${seshat_package_dir})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/SeshatConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/SeshatConfig.cmake
  INSTALL_DESTINATION ${seshat_package_dir})
# 0.x: the soname is libseshat.so.0, so every 0.y is meant to stay compatible.
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/SeshatConfigVersion.cmake
  VERSION ${PROJECT_VERSION}
  COMPATIBILITY SameMajorVersion)
install(FILES
  ${CMAKE_CURRENT_BINARY_DIR}/SeshatConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/SeshatConfigVersion.cmake
  DESTINATION ${seshat_package_dir})

# --- the widget: whatever web/ holds (widget.js, widget.css, snippet.html, index.html, ...) ---
file(GLOB_RECURSE seshat_web_files CONFIGURE_DEPENDS
  LIST_DIRECTORIES false RELATIVE ${PROJECT_SOURCE_DIR}/web ${PROJECT_SOURCE_DIR}/web/*)
foreach(file IN LISTS seshat_web_files)
  if(file MATCHES "(^|/)(node_modules|\\.)")  # tooling and hidden files are not the widget
    continue()
  endif()
  get_filename_component(subdir ${file} DIRECTORY)
  install(FILES ${PROJECT_SOURCE_DIR}/web/${file}
    DESTINATION ${CMAKE_INSTALL_DATADIR}/seshat/web/${subdir})
endforeach()

# --- documentation and examples (a service is configured by its admin: nothing goes to /etc) ---
foreach(doc README.md ARCHITECTURE.md)
  if(EXISTS ${PROJECT_SOURCE_DIR}/${doc})
    install(FILES ${PROJECT_SOURCE_DIR}/${doc} DESTINATION ${CMAKE_INSTALL_DOCDIR})
  endif()
endforeach()
install(FILES
  ${PROJECT_SOURCE_DIR}/packaging/seshat.service
  ${PROJECT_SOURCE_DIR}/packaging/seshat.ini.example
  DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)
