# reg_identity of the provisioning document is an RFC 3261 name-addr
# whatever the display name holds (issue 13 item 6, api.md 6.4): a quote
# or a backslash is a quoted-pair, so the display name cannot close its
# quoted-string and rewrite the identity.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;
use XML::LibXML;

plan tests => 13;
# Test names carry the display names, some of them not ASCII.
binmode(Test::More->builder->$_, ':encoding(UTF-8)') for qw(output failure_output todo_output);

reset_db();
my $admin = create_admin('idchief', 'a.test');
my $H = { 'x-linphone-provisioning' => 'true' };

# The reg_identity entry of a provisioning document.
sub reg_identity {
    my ($xml) = @_;
    my $doc = XML::LibXML->load_xml(string => $xml);
    my $xpc = XML::LibXML::XPathContext->new($doc);
    $xpc->registerNs(l => 'http://www.linphone.org/xsds/lpconfig.xsd');
    my @e = $xpc->findnodes('//l:section[@name="proxy_0"]/l:entry[@name="reg_identity"]');
    return @e == 1 ? $e[0]->textContent : undef;
}

# RFC 3261 name-addr: [ quoted-string LWS ] "<" addr-spec ">". Returns
# (display name with its quoted-pairs undone, URI), or () if it does not
# parse as exactly that.
sub parse_name_addr {
    my ($s) = @_;
    return () unless $s =~ /\A"((?:[^"\\\r\n]|\\[^\r\n])*)"[ \t]*<([^<>"\s]+)>\z/;
    my ($quoted, $uri) = ($1, $2);
    (my $name = $quoted) =~ s/\\(.)/$1/gs;
    return ($name, $uri);
}

sub identity_of {
    my ($username, $display_name) = @_;
    my $res = call(space_a => POST => '/api/accounts', headers => { 'x-api-key' => $admin },
                   json => { username => $username, password => 'secret123', algorithm => 'MD5',
                             display_name => $display_name });
    die 'create failed: ' . $res->code . ' ' . $res->content unless $res->code == 200;
    my $token = json_of($res)->{provisioning_token};
    $res = call(space_a => GET => "/api/provisioning/$token", headers => $H);
    die 'provisioning failed: ' . $res->code unless $res->code == 200;
    return reg_identity($res->content);
}

for my $case ([ 'quote01', 'Bob" <sip:x@evil>', 'a quote and an injected URI' ],
              [ 'slash01', 'Back\\slash', 'a backslash' ],
              [ 'slash02', 'Ends with \\', 'a trailing backslash' ],
              [ 'mixed01', '\\"; tag="\\\\', 'quotes and backslashes mixed' ],
              [ 'utf8001', "Z\x{f6}e \x{1f600}", 'non-ASCII text' ]) {
    my ($username, $name, $what) = @$case;
    my $identity = identity_of($username, $name);
    my @parsed = parse_name_addr($identity // '');
    ok(@parsed, "$what: reg_identity is one name-addr ($identity)");
    is_deeply(\@parsed, [ $name, "sip:$username\@a.test" ], "$what: the exact display name and the account's own URI");
}

# Control characters cannot be in a quoted-string (no CR or LF even as a
# quoted-pair): each becomes a space, as elsewhere in the document.
my $identity = identity_of('ctrl0001', "Line\nBreak\r\x07Bell\tTab");
is_deeply([ parse_name_addr($identity // '') ], [ "Line Break  Bell\tTab", 'sip:ctrl0001@a.test' ],
          'control characters become spaces (HTAB kept)');
# Without a display name: the bare address.
my $res = call(space_a => POST => '/api/accounts', headers => { 'x-api-key' => $admin },
               json => { username => 'plain001', password => 'secret123', algorithm => 'MD5' });
$res = call(space_a => GET => '/api/provisioning/' . json_of($res)->{provisioning_token}, headers => $H);
is(reg_identity($res->content), '<sip:plain001@a.test>', 'no display name: the address alone');
# One made only of control characters: the bare address too.
is(identity_of('ctrl0002', "\x01\x02"), '<sip:ctrl0002@a.test>', 'nothing to show of the display name: the address alone');
