#!/bin/bash
# A private Postfix instance on loopback for the milter tests and benchmark
# (facts from ../shared/TESTING-WITH-REAL-SERVERS.md).
#   postfix-instance.sh start DIR SMTPD_PORT RELAY_PORT MILTER|none PROTOCOL [CONTENT_TIMEOUT]
#   postfix-instance.sh stop DIR
set -euo pipefail
command=$1
dir=$2
if [ "$command" = stop ]; then
  postfix -c "$dir/etc" stop >/dev/null 2>&1 || true
  exit 0
fi
smtpd_port=$3
relay_port=$4
milter=$5
protocol=$6
content_timeout=${7:-30s}
mkdir -p "$dir/etc" "$dir/queue" "$dir/data"
chown postfix "$dir/data"
# STARTTLS is offered (clients choose), so milters see the TLS macros.
openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=mta.test -days 2 \
  -keyout "$dir/etc/key.pem" -out "$dir/etc/cert.pem" >/dev/null 2>&1
cat > "$dir/etc/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
mail_owner = postfix
setgid_group = postdrop
myhostname = mta.test
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mydestination =
relay_domains = example.test
relayhost = [127.0.0.1]:$relay_port
mynetworks = 127.0.0.0/8
smtpd_recipient_restrictions = permit_mynetworks, reject
maillog_file_prefixes = /tmp, /var
maillog_file = $dir/postfix.log
alias_maps =
alias_database =
smtp_tls_security_level = none
smtpd_tls_security_level = may
smtpd_tls_cert_file = $dir/etc/cert.pem
smtpd_tls_key_file = $dir/etc/key.pem
default_process_limit = 100
smtp_destination_concurrency_limit = 50
default_destination_concurrency_limit = 50
CF
if [ "$milter" != none ]; then
  cat >> "$dir/etc/main.cf" <<CF
smtpd_milters = $milter
milter_protocol = $protocol
milter_default_action = tempfail
milter_content_timeout = $content_timeout
milter_connect_macros = j {daemon_name} {daemon_addr} v {client_addr} {client_name}
CF
fi
grep -v '^smtp[[:space:]]\+inet' /etc/postfix/master.cf > "$dir/etc/master.cf"
echo "127.0.0.1:$smtpd_port inet n - n - - smtpd" >> "$dir/etc/master.cf"
postfix -c "$dir/etc" set-permissions >/dev/null 2>&1 || true
script -qc "postfix -c $dir/etc start" /dev/null > "$dir/start.log" 2>&1 || { cat "$dir/start.log" >&2; exit 1; }
