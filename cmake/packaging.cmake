# Debian package of Portcullis, built with CPack: `cmake --build build --target package` (or
# `cpack -G DEB` in the build directory). Include at the END of the top-level CMakeLists.txt, after
# every target is defined: `include(cmake/packaging.cmake)`.
#
# The package installs:
#   /usr/sbin/portcullis                      the binary (when the `portcullis` target exists)
#   /etc/portcullis/portcullis.toml           the default configuration (a conffile)
#   /lib/systemd/system/portcullis.service    the hardened unit
#   /usr/lib/sysusers.d/portcullis.conf       the `portcullis` system user
#   /usr/lib/tmpfiles.d/portcullis.conf       the spool, quarantine and cache directories
#   /usr/share/portcullis/rules/              the shipped rules (*.cf)
#   /usr/share/portcullis/signatures/         the shipped ClamAV signatures
#   /usr/share/portcullis/digest/             the quarantine digest templates (*.txt)
#   /usr/share/doc/portcullis/                the metrics reference and the deploy examples
# Its Depends are computed by dpkg-shlibdeps from the binary's shared libraries.

get_filename_component(_portcullis_repo "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)

if(TARGET portcullis)
  install(TARGETS portcullis RUNTIME DESTINATION sbin)
endif()

if(EXISTS "${_portcullis_repo}/deploy/portcullis.toml")
  install(FILES "${_portcullis_repo}/deploy/portcullis.toml" DESTINATION /etc/portcullis)
endif()
install(FILES "${_portcullis_repo}/deploy/systemd/portcullis.service"
        DESTINATION /lib/systemd/system)
install(FILES "${_portcullis_repo}/deploy/systemd/portcullis.sysusers"
        DESTINATION lib/sysusers.d RENAME portcullis.conf)
install(FILES "${_portcullis_repo}/deploy/systemd/portcullis.tmpfiles"
        DESTINATION lib/tmpfiles.d RENAME portcullis.conf)

# Rule files only: rules/ also holds the rules' tests.
install(DIRECTORY "${_portcullis_repo}/rules/" DESTINATION share/portcullis/rules
        FILES_MATCHING PATTERN "*.cf"
        PATTERN "tests" EXCLUDE)
# Signature databases only: no build files, documentation or test samples.
install(DIRECTORY "${_portcullis_repo}/signatures/" DESTINATION share/portcullis/signatures
        PATTERN "CMakeLists.txt" EXCLUDE
        PATTERN "*.md" EXCLUDE
        PATTERN "tests" EXCLUDE
        PATTERN "testdata" EXCLUDE)

# The quarantine digest's language templates ([quarantine.digest] template_directory).
install(DIRECTORY "${_portcullis_repo}/deploy/digest/" DESTINATION share/portcullis/digest
        FILES_MATCHING PATTERN "*.txt")
install(FILES "${_portcullis_repo}/gateway/metrics/README.md"
        DESTINATION share/doc/portcullis RENAME metrics.md)
foreach(_portcullis_doc README.md LICENSE COPYING)
  if(EXISTS "${_portcullis_repo}/${_portcullis_doc}")
    install(FILES "${_portcullis_repo}/${_portcullis_doc}" DESTINATION share/doc/portcullis)
  endif()
endforeach()
install(DIRECTORY "${_portcullis_repo}/deploy/grafana" "${_portcullis_repo}/deploy/prometheus"
                  "${_portcullis_repo}/deploy/postfix"
        DESTINATION share/doc/portcullis/examples)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME portcullis)
set(CPACK_PACKAGE_VENDOR "Portcullis")
if(portcullis_VERSION)
  set(CPACK_PACKAGE_VERSION "${portcullis_VERSION}")
else()
  set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
endif()
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Mail filtering gateway (SMTP proxy and milter)")
set(CPACK_PACKAGE_DESCRIPTION
    "Portcullis stands on port 25 in front of an internal mail server, or beside it as a milter, \
and filters every inbound message: SpamAssassin-language content rules compiled for Hyperscan, \
DNSBL, SPF, DKIM, DMARC and ClamAV, with a durable spool, a quarantine and Prometheus metrics.")
set(CPACK_PACKAGE_CONTACT "Portcullis maintainers <postmaster@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION mail)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# adduser: the user is created with it where systemd-sysusers is missing.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
# spamassassin: its stock rules, which the default configuration loads (and sa-update).
# publicsuffix: the public suffix list libpsl reads at run time (DMARC, URI domains, known
# top-level domains); without it libpsl falls back to the copy built into it.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "clamav-freshclam, spamassassin, publicsuffix")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postfix, prometheus")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${_portcullis_repo}/deploy/debian/conffiles" "${_portcullis_repo}/deploy/debian/postinst"
    "${_portcullis_repo}/deploy/debian/prerm" "${_portcullis_repo}/deploy/debian/postrm")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

include(CPack)
