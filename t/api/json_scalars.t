# A JSON body that is a scalar (RFC 8259 allows any value at the top) is
# valid JSON that is not an object: "no parameters", like [] and "text"
# (api.md 1.3), not "Invalid JSON". Security issue 13, item 12.
use strict;
use warnings FATAL => 'all';
use Apache::Test qw(-withtestmore);
use lib 't/lib', 'lib';
use Accounts::Test;

my @scalars = ('42', 'null', 'true', 'false', '-1.5e3', ' 7 ', "\r\n0\t", '"text"', '[]');
my @broken = ('tru', 'nul', '01', '1.', '-', '1e5x', '42 43', 'true false', 'nullnull');

plan tests => 2 + 2 * @scalars + 2 * @broken;

reset_db();
my $create = '/api/accounts/with-account-creation-token';
sub post { my ($body) = @_; call(space_a => POST => $create, body => $body,
                                 headers => { 'Content-Type' => 'application/json' }) }

my $none = post('{}');
is($none->code, 422, '{}: 422');
is(json_of($none)->{message}, 'The username field is required. (and 3 more errors)', 'every required field missing');

for my $body (@scalars) {
    my $res = post($body);
    is($res->code, 422, "body '$body': 422");
    is($res->content, $none->content, '  the body of {}');
}
for my $body (@broken) {
    my $res = post($body);
    is($res->code, 400, "body '$body': 400");
    ok(json_of($res)->{message} =~ /^Invalid JSON: /, '  Invalid JSON');
}
