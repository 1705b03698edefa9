# Runs at install time (install(SCRIPT) from install.cmake, which sets seshat_pc_*): writes
# seshat.pc naming the prefix being installed to, which `cmake --install --prefix` may change.
set(SESHAT_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(SESHAT_PC_VERSION "${seshat_pc_version}")
foreach(kind libdir includedir)
  set(dir "${seshat_pc_${kind}}")
  if(IS_ABSOLUTE "${dir}")
    set(SESHAT_PC_${kind} "${dir}")
  else()
    set(SESHAT_PC_${kind} "\${prefix}/${dir}")
  endif()
endforeach()
configure_file("${seshat_pc_template}" "${seshat_pc_file}" @ONLY)
