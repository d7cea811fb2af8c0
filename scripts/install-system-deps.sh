#!/usr/bin/env bash
# System packages the tests need: Dovecot (a real IMAP server for the mail tests),
# LibreOffice (outputs turned into PDF) and poppler (PDF pages into pictures).
# Installs only what is missing; does nothing when everything is there.
set -euo pipefail
need=()
command -v /usr/sbin/dovecot >/dev/null 2>&1 || need+=(dovecot-imapd)
command -v soffice >/dev/null 2>&1 || need+=(libreoffice-calc-nogui libreoffice-writer-nogui)
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
if [ ${#need[@]} -eq 0 ]; then exit 0; fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq || true
$SUDO apt-get install -y -qq "${need[@]}" >/dev/null
