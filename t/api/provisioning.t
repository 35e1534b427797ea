# The Linphone remote-provisioning document (api.md 6.4), parsed with an
# XML parser and checked field by field; token rules; related routes.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use XML::LibXML;
use Digest::SHA qw(sha256_hex);

plan tests => 53;

reset_db();
my $H = { 'x-linphone-provisioning' => 'true' };
my $id = make_account('john01', 'a.test', realm => 'global.realm.test', passwords => { 'SHA-256' => 'john-pass' });
sql("UPDATE accounts SET display_name = 'John & <Doe>', activated = false WHERE id = $id");
my $key = (accountsctl('api-key', 'john01@a.test'))[1];
chomp $key;
sub provision { my ($space, $base, $k) = @_; json_of(call($space => GET => "$base/accounts/me/provision", headers => { 'x-api-key' => $k }))->{provisioning_token} }

# Parses a document into [ [section, [ [name, value, overwrite], ... ] ], ... ].
sub sections_of {
    my ($xml) = @_;
    my $doc = XML::LibXML->load_xml(string => $xml);
    my $root = $doc->documentElement;
    die 'bad root' unless $root->localname eq 'config' && $root->namespaceURI eq 'http://www.linphone.org/xsds/lpconfig.xsd';
    return [ map { my $s = $_;
                   [ $s->getAttribute('name'),
                     [ map { [ $_->getAttribute('name'), $_->textContent, $_->getAttribute('overwrite') ] }
                           grep { $_->nodeType == XML_ELEMENT_NODE } $s->childNodes ] ] }
             grep { $_->nodeType == XML_ELEMENT_NODE } $root->childNodes ];
}
sub section_named { my ($secs, $name) = @_; my ($s) = grep { $_->[0] eq $name } @$secs; $s ? $s->[1] : undef }
sub entries { my ($e) = @_; return +{ map { ($_->[0] => $_->[1]) } @$e } }

my $token = provision(space_a => '/api', $key);
my $url = "/api/provisioning/$token";

# ---- the header rule ----------------------------------------------------------
my $res = call(space_a => GET => $url);
is($res->code, 400, 'no x-linphone-provisioning header: 400');
is($res->content, 'x-linphone-provisioning header is missing', 'plain text body');
like($res->header('Content-Type'), qr{^text/plain; charset=UTF-8}, 'text/plain');
is(json_of(call(space_a => GET => '/api/accounts/me', headers => { 'x-api-key' => $key }))->{provisioning_token}, $token,
   'the token was not consumed');

# ---- the document ---------------------------------------------------------------
$res = call(space_a => GET => $url, headers => $H);
is($res->code, 200, 'with the header: 200');
is($res->header('Content-Type'), 'application/xml', 'application/xml');
my $secs = sections_of($res->content);
is_deeply([ map { $_->[0] } @$secs ], [ qw(misc ui proxy_0 auth_info_0) ], 'sections in order');
is_deeply(section_named($secs, 'misc'), [ [ 'contacts-vcard-list', 'https://a.test/contacts/vcard', undef ] ],
          'misc: the default contacts vCard URL from the public URL');
is_deeply([ map { $_->[0] } @{ section_named($secs, 'ui') } ],
          [ qw(super disable_chat_feature disable_meetings_feature disable_broadcast_feature hide_settings
               hide_account_settings disable_call_recordings_feature only_display_sip_uri_username
               assistant_hide_create_account assistant_disable_qr_code assistant_hide_third_party_account max_account) ],
          'ui: twelve entries in order');
is_deeply([ map { $_->[1] } @{ section_named($secs, 'ui') } ], [ 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0 ], 'ui defaults');
is(entries(section_named($secs, 'proxy_0'))->{reg_identity}, '"John & <Doe>" <sip:john01@a.test>',
   'reg_identity with the display name, escaped in the XML');
like($res->content, qr/&quot;John &amp; &lt;Doe&gt;&quot; &lt;sip:john01\@a\.test&gt;|"John &amp; &lt;Doe&gt;" &lt;sip:john01\@a\.test&gt;/, 'escaped on the wire');
is_deeply(entries(section_named($secs, 'auth_info_0')),
          { username => 'john01', domain => 'a.test', ha1 => ha1('SHA-256', 'john01', 'global.realm.test', 'john-pass'),
            realm => 'global.realm.test', algorithm => 'SHA-256' }, 'auth_info_0: the stored HA1 and its realm');
is_deeply([ map { $_->[0] } @{ section_named($secs, 'auth_info_0') } ], [ qw(username domain ha1 realm algorithm) ],
          'auth_info entries in order');
is(sql_value("SELECT activated FROM accounts WHERE id = $id"), 't', 'the account is activated');

$res = call(space_a => GET => $url, headers => $H);
is($res->code, 404, 'single use: a second fetch is 404');
$res = call(space_a => GET => $url, headers => { %$H, Accept => 'application/json' });
is_deeply([ $res->code, json_of($res) ], [ 404, { message => 'Not Found' } ], 'JSON error when asked');

# Only the current token works.
my $old = provision(space_a => '/api', $key);
my $new = provision(space_a => '/api', $key);
is(call(space_a => GET => "/api/provisioning/$old", headers => $H)->code, 404, 'an older token: 404');
is(call(space_a => GET => "/api/provisioning/$new", headers => $H)->code, 200, 'the current one: 200');
is(call(space_a => GET => '/api/provisioning/nosuchtoken12', headers => $H)->code, 404, 'unknown token: 404');

# ---- ?reset_password ------------------------------------------------------------------
my $t = provision(space_a => '/api', $key);
$res = call(space_a => GET => "/api/provisioning/$t?reset_password", headers => $H);
is($res->code, 200, '?reset_password: 200');
my $auth = entries(section_named(sections_of($res->content), 'auth_info_0'));
isnt($auth->{ha1}, ha1('SHA-256', 'john01', 'global.realm.test', 'john-pass'), 'a new password');
is($auth->{algorithm}, 'SHA-256', "the Space's AccountsPasswordAlgorithm (default SHA-256)");
is(sql_value("SELECT algorithm || ':' || password FROM passwords WHERE account_id = $id"), "SHA-256:$auth->{ha1}",
   'the document carries the stored HA1');
my ($login) = digest_call(space_a => GET => '/api/accounts/me', username => 'john01', domain => 'a.test',
                          password => 'john-pass', algorithm => 'SHA-256');
is($login->code, 401, 'the old password no longer works');

# ---- expiry (Space C: AccountsProvisioningTokenExpiry 30) --------------------------------
my $cid = make_account('carl03', 'c.test', realm => 'c.realm.test', passwords => { MD5 => 'p1', 'SHA-256' => 'p1' });
my $ckey = (accountsctl('api-key', 'carl03@c.test'))[1];
chomp $ckey;
my $ct = provision(space_c => '/api', $ckey);
sql("UPDATE provisioning_tokens SET created_at = now() - interval '31 minutes' WHERE token = '$ct'");
$res = call(space_c => GET => "/api/provisioning/$ct", headers => $H);
is($res->code . ' ' . $res->content, '410 Expired', 'expired: 410 Expired');

# ---- custom sections (Space C) -------------------------------------------------------------
$ct = provision(space_c => '/api', $ckey);
$res = call(space_c => GET => "/api/provisioning/$ct", headers => $H);
$secs = sections_of($res->content);
is_deeply([ map { $_->[0] } @$secs ], [ qw(app proxy_0 misc ui auth_info_0 auth_info_1) ],
          'custom sections first; proxy_0 completed, not duplicated');
is_deeply(entries(section_named($secs, 'app')), { greeting => q{Tom & Jerry's <app>}, auto_start => 1 },
          'custom values, escaped and parsed back');
is_deeply(entries(section_named($secs, 'proxy_0')),
          { reg_proxy => '<sip:proxy.c.test;transport=tls>', reg_identity => '<sip:carl03@c.test>' },
          'proxy_0: the custom entry and the identity without display name');
is(entries(section_named($secs, 'auth_info_0'))->{algorithm}, 'MD5', 'one auth_info per password: MD5');
is(entries(section_named($secs, 'auth_info_1'))->{algorithm}, 'SHA-256', 'then SHA-256');
is(entries(section_named($secs, 'auth_info_1'))->{realm}, 'c.realm.test', "the account Space's realm");

# ---- Space B: overwrite, no misc, no header rule, ui knob, MD5 default -----------------------
make_account('bob001', 'b.test', realm => 'realm-b.test', passwords => { MD5 => 'bp' });
my $bkey = (accountsctl('api-key', 'bob001@b.test'))[1];
chomp $bkey;
my $bt = provision(space_b => '/sip/v1', $bkey);
$res = call(space_b => GET => "/sip/v1/provisioning/$bt?reset_password=1");
is($res->code, 200, 'AccountsProvisioningHeaderRequired Off: no header needed');
$secs = sections_of($res->content);
ok(!section_named($secs, 'misc'), 'AccountsContactsVcardURL none: no misc');
ok(!(grep { ($_->[2] // '') ne 'true' } map { @{ $_->[1] } } @$secs), 'overwrite="true" on every entry');
is(entries(section_named($secs, 'ui'))->{hide_settings}, 1, 'AccountsLinphoneUI hide_settings 1');
is(entries(section_named($secs, 'auth_info_0'))->{algorithm}, 'MD5', 'reset with AccountsPasswordAlgorithm MD5');
# Issue 14: where the client registers (AccountsSipProxy, AccountsSipRoute of Space B).
is_deeply(entries(section_named($secs, 'proxy_0')),
          { reg_identity => '<sip:bob001@b.test>', reg_proxy => '<sip:sip.b.test;transport=tls>',
            reg_route => '<sip:edge.b.test:5061;transport=tls;lr>', reg_sendregister => 1 },
          'proxy_0: reg_proxy, reg_route and reg_sendregister from the Space');
like($res->content, qr{<entry name="reg_proxy" overwrite="true">&lt;sip:sip\.b\.test;transport=tls&gt;</entry>},
     'reg_proxy escaped in the XML');

# Control characters cannot appear in XML 1.0: the document stays well-formed.
sql("UPDATE accounts SET display_name = E'Bad\\x01Name' WHERE id = $id");
$res = call(space_a => GET => '/api/provisioning/me', headers => { %$H, 'x-api-key' => $key });
is(entries(section_named(sections_of($res->content), 'proxy_0'))->{reg_identity}, '"Bad Name" <sip:john01@a.test>',
   'a control character in a value becomes a space');

# ---- /provisioning/me and /provisioning ---------------------------------------------------------
is(call(space_a => GET => '/api/provisioning/me', headers => { 'x-api-key' => $key })->code, 400, 'me: header rule applies');
$res = call(space_a => GET => '/api/provisioning/me', headers => { %$H, 'x-api-key' => $key });
is($res->code, 200, 'me: 200');
is(entries(section_named(sections_of($res->content), 'auth_info_0'))->{username}, 'john01', "the caller's document");
is(call(space_a => GET => '/api/provisioning/me', headers => $H)->code, 401, 'me needs authentication');
$res = call(space_a => GET => '/api/provisioning', headers => { %$H, Origin => 'https://app.example' });
is($res->code, 200, '/provisioning: 200');
is($res->header('Access-Control-Allow-Origin'), '*', 'CORS header for cross-origin requests');
is_deeply([ map { $_->[0] } @{ sections_of($res->content) } ], [ 'misc' ], 'only the Space sections');

# ---- /provisioning/auth_token/{t} ---------------------------------------------------------------
my $at = json_of(call(space_a => POST => '/api/accounts/auth_token'))->{token};
is(call(space_a => GET => "/api/provisioning/auth_token/$at")->code, 404, 'unattached: 404');
call(space_a => GET => "/api/accounts/auth_token/$at/attach", headers => { 'x-api-key' => $key });
my $current = json_of(call(space_a => GET => '/api/accounts/me', headers => { 'x-api-key' => $key }))->{provisioning_token};
$res = call(space_a => GET => "/api/provisioning/auth_token/$at");
is($res->code, 200, 'attached: 200 without the header');
is(entries(section_named(sections_of($res->content), 'auth_info_0'))->{username}, 'john01', "the account's document");
is(call(space_a => GET => "/api/provisioning/auth_token/$at")->code, 404, 'single use');
is(json_of(call(space_a => GET => '/api/accounts/me', headers => { 'x-api-key' => $key }))->{provisioning_token}, $current,
   'the provisioning token is not consumed');
my $bt2 = json_of(call(space_a => POST => '/api/accounts/auth_token'))->{token};
call(space_a => GET => "/api/accounts/auth_token/$bt2/attach", headers => { 'x-api-key' => $key });
is(call(space_b => GET => "/sip/v1/provisioning/auth_token/$bt2")->code, 404, "another Space's vhost: 404");
