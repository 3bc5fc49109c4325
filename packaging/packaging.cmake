# Install layout and the .deb and .rpm packages, both made by CPack from this
# one build: `cmake --build build && (cd build && cpack)` writes them to
# build/packages/. The layout matches the daemon's defaults
# (daemon/io/config.c): config in /etc/profwatch (never the Agent's conf.d,
# which the Agent would load as a check), state, reports and the status
# socket in /var/lib/profwatch (made by the maintainer scripts and by the
# unit's StateDirectory, not shipped: it fills with the user's data).
include(GNUInstallDirs)

set(PW_PKG_DIR ${CMAKE_SOURCE_DIR}/packaging)
set(PW_PACKAGE_MAINTAINER "profwatch maintainers <profwatch-maintainers@users.noreply.github.com>"
    CACHE STRING "Maintainer field of the .deb and .rpm")
set(PW_PACKAGE_LICENSE "Unspecified" CACHE STRING "License field of the .rpm")
set(PW_PACKAGE_RELEASE "1" CACHE STRING "Release of the .rpm")

# Man pages and the changelog carry the project version; Debian wants them
# gzipped without a timestamp (gzip -n) so that builds are reproducible.
set(PW_DOC_DIR ${CMAKE_BINARY_DIR}/doc)
set(PW_VERSION ${PROJECT_VERSION})
set(PW_MAINTAINER ${PW_PACKAGE_MAINTAINER})
configure_file(${PW_PKG_DIR}/man/profwatch.1 ${PW_DOC_DIR}/profwatch.1 @ONLY)
configure_file(${PW_PKG_DIR}/man/profwatchd.8 ${PW_DOC_DIR}/profwatchd.8 @ONLY)
configure_file(${PW_PKG_DIR}/deb/changelog.in ${PW_DOC_DIR}/changelog @ONLY)
set(PW_DOC_GZ)
foreach(f profwatch.1 profwatchd.8 changelog)
  add_custom_command(OUTPUT ${PW_DOC_DIR}/${f}.gz
                     COMMAND gzip -9nkf ${PW_DOC_DIR}/${f}
                     DEPENDS ${PW_DOC_DIR}/${f} COMMENT "gzip ${f}" VERBATIM)
  list(APPEND PW_DOC_GZ ${PW_DOC_DIR}/${f}.gz)
endforeach()
add_custom_target(pw_docs ALL DEPENDS ${PW_DOC_GZ})

# Full RELRO for the shipped programs (Debian's hardening check asks for it).
foreach(t profwatch profwatchd)
  target_link_options(${t} PRIVATE LINKER:-z,relro,-z,now)
endforeach()

set(PW_FILE_MODE OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
install(TARGETS profwatch RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS profwatchd RUNTIME DESTINATION ${CMAKE_INSTALL_SBINDIR})
install(FILES ${CMAKE_SOURCE_DIR}/conf.d/profwatch.yaml DESTINATION /etc/profwatch
        PERMISSIONS ${PW_FILE_MODE})
install(FILES ${PW_PKG_DIR}/systemd/profwatchd.service DESTINATION lib/systemd/system
        PERMISSIONS ${PW_FILE_MODE})
install(FILES ${PW_DOC_DIR}/profwatch.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1
        PERMISSIONS ${PW_FILE_MODE})
install(FILES ${PW_DOC_DIR}/profwatchd.8.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man8
        PERMISSIONS ${PW_FILE_MODE})
install(FILES ${PW_PKG_DIR}/completion/profwatch
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions PERMISSIONS ${PW_FILE_MODE})
install(FILES ${PW_PKG_DIR}/datadog/metadata.csv ${PW_PKG_DIR}/datadog/service_checks.json
              ${PW_PKG_DIR}/datadog/monitors.json ${PW_PKG_DIR}/datadog/dashboard.json
        DESTINATION ${CMAKE_INSTALL_DATADIR}/profwatch/datadog PERMISSIONS ${PW_FILE_MODE})
install(FILES ${PW_PKG_DIR}/kubernetes/values.yaml ${PW_PKG_DIR}/kubernetes/profwatchd-sidecar.yaml
              ${PW_PKG_DIR}/kubernetes/profwatch-configmap.yaml
              ${PW_PKG_DIR}/kubernetes/kustomization.yaml ${PW_PKG_DIR}/kubernetes/post-render.sh
              ${PW_PKG_DIR}/kubernetes/Dockerfile ${PW_PKG_DIR}/kubernetes/README.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples/kubernetes PERMISSIONS ${PW_FILE_MODE})
install(FILES ${PW_PKG_DIR}/deb/copyright ${PW_DOC_DIR}/changelog.gz
        DESTINATION ${CMAKE_INSTALL_DOCDIR} PERMISSIONS ${PW_FILE_MODE})

set(CPACK_GENERATOR "DEB;RPM")
set(CPACK_PACKAGE_NAME profwatch)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "profwatch")
set(CPACK_PACKAGE_CONTACT ${PW_PACKAGE_MAINTAINER})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "leak, CPU and memory-budget watch for the Datadog Agent's Go processes")
set(CPACK_PACKAGE_DESCRIPTION
    "profwatchd runs next to the Datadog Agent. It scrapes the pprof and expvar
endpoints of the Agent's processes, judges each one for memory leaks, CPU
spikes and lock contention, reads their PSS against a memory budget, and
sends service checks, events and metrics to Datadog. When a verdict turns
bad it leaves a flare-compatible capture with its report. profwatch reads
pprof profiles and Agent flares from the command line.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# Absolute destinations (/etc/profwatch) land inside the package's tree.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PACKAGE_DIRECTORY ${CMAKE_BINARY_DIR}/packages)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_ENHANCES datadog-agent)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PW_PKG_DIR}/deb/postinst ${PW_PKG_DIR}/deb/prerm
                                       ${PW_PKG_DIR}/deb/postrm ${PW_PKG_DIR}/deb/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_PACKAGE_RELOCATABLE OFF)
set(CPACK_RPM_PACKAGE_RELEASE ${PW_PACKAGE_RELEASE})
set(CPACK_RPM_PACKAGE_LICENSE ${PW_PACKAGE_LICENSE})
set(CPACK_RPM_PACKAGE_GROUP "Applications/System")
set(CPACK_RPM_POST_INSTALL_SCRIPT_FILE ${PW_PKG_DIR}/rpm/post.sh)
set(CPACK_RPM_PRE_UNINSTALL_SCRIPT_FILE ${PW_PKG_DIR}/rpm/preun.sh)
set(CPACK_RPM_POST_UNINSTALL_SCRIPT_FILE ${PW_PKG_DIR}/rpm/postun.sh)
# Dependencies by package name: the sonames' symbol versions that rpmbuild
# would find here are Debian's (libcurl's CURL_OPENSSL_4) and would not
# resolve on an rpm distribution.
set(CPACK_RPM_PACKAGE_AUTOREQ OFF)
set(CPACK_RPM_PACKAGE_REQUIRES "libuv, libcurl, protobuf-c, zlib, libdeflate, cjson, libyaml")
set(CPACK_RPM_SPEC_MORE_DEFINE "%define _build_id_links none")
set(CPACK_RPM_USER_FILELIST "%config(noreplace) /etc/profwatch/profwatch.yaml")
# Folders that belong to the system, not to this package.
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
    /usr/sbin /usr/lib/systemd /usr/lib/systemd/system /usr/share/bash-completion
    /usr/share/bash-completion/completions /usr/share/man /usr/share/man/man1
    /usr/share/man/man8 /usr/share/doc)

include(CPack)
