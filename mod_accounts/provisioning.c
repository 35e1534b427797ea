#include "provisioning.h"
#include "crypto.h"
#include "markup.h"

#include <string.h>

#include <apr_strings.h>

/* Sections under construction, in document order. */
typedef struct {
    apr_pool_t *pool;
    apr_array_header_t *sections;   /* of space_section */
} document;

static space_section *section(document *doc, const char *name, int create)
{
    space_section *s;

    for (int i = 0; i < doc->sections->nelts; i++) {
        s = &APR_ARRAY_IDX(doc->sections, i, space_section);
        if (strcmp(s->name, name) == 0) {
            return s;
        }
    }
    if (!create) {
        return NULL;
    }
    s = apr_array_push(doc->sections);
    s->name = name;
    s->entries = apr_array_make(doc->pool, 8, sizeof(space_entry));
    return s;
}

static void entry(document *doc, space_section *s, const char *key, const char *value)
{
    space_entry *e = apr_array_push(s->entries);
    (void)doc;
    e->key = key;
    e->value = value;
}

/* A C0 control character or DEL: nothing a display name shows, and CR
 * and LF cannot be in a quoted-string at all, not even as a quoted-pair
 * (RFC 3261 25.1). HTAB is qdtext (as LWS). */
static int replaced_control(unsigned char c)
{
    return (c < 0x20 && c != '\t') || c == 0x7f;
}

const char *provisioning_reg_identity(apr_pool_t *p, const char *display_name,
                                      const char *username, const char *domain)
{
    const char *sip = apr_pstrcat(p, "<sip:", username, "@", domain, ">", NULL);
    char *quoted, *o;
    int shown = 0;

    if (!display_name) {
        return sip;
    }
    /* The display name as a quoted-string: '"' and '\' as quoted-pairs,
     * so the name can neither end the string early nor swallow its
     * closing quote (a name like  Bob" <sip:x@evil>  would otherwise
     * rewrite the identity the client registers with). A control
     * character becomes a space (replaced_control), as markup_escape does
     * for the rest of the document; UTF-8 passes as UTF8-NONASCII. */
    o = quoted = apr_palloc(p, 2 * strlen(display_name) + 3);
    *o++ = '"';
    for (const unsigned char *c = (const unsigned char *)display_name; *c; c++) {
        unsigned char ch = replaced_control(*c) ? ' ' : *c;
        if (ch == '"' || ch == '\\') {
            *o++ = '\\';
        }
        *o++ = (char)ch;
        shown |= ch != ' ' && ch != '\t';
    }
    if (!shown) {
        return sip;    /* nothing to show: the bare address */
    }
    *o++ = '"';
    *o = '\0';
    return apr_pstrcat(p, quoted, " ", sip, NULL);
}

/* entry(), unless the section already has one of that name. */
static void entry_unless_set(document *doc, space_section *s, const char *key, const char *value)
{
    for (int i = 0; i < s->entries->nelts; i++) {
        if (strcmp(APR_ARRAY_IDX(s->entries, i, space_entry).key, key) == 0) {
            return;
        }
    }
    entry(doc, s, key, value);
}

static void add_account_sections(document *doc, const provisioning_account *a)
{
    const char *realm = a->space ? space_digest_realm(a->space) : a->domain;
    space_section *proxy;
    int n = 0;

    if (a->space && !section(doc, "ui", 0)) {
        space_section *ui = section(doc, "ui", 1);
        for (int i = 0; i < SPACE_UI_COUNT; i++) {
            entry(doc, ui, space_ui_names[i], apr_itoa(doc->pool, a->space->ui[i]));
        }
    }
    proxy = section(doc, "proxy_0", 1);
    entry(doc, proxy, "reg_identity",
          provisioning_reg_identity(doc->pool, a->display_name, a->username, a->domain));
    /* Where the client registers (AccountsSipProxy of the account's own
     * Space), so that the document alone makes it register. An entry the
     * Space's custom INI section already gives wins. */
    if (a->space && a->space->sip_proxy) {
        entry_unless_set(doc, proxy, "reg_proxy", a->space->sip_proxy);
        entry_unless_set(doc, proxy, "reg_route",
                         a->space->sip_route ? a->space->sip_route : a->space->sip_proxy);
        entry_unless_set(doc, proxy, "reg_sendregister", "1");
    }

    for (int i = 0; a->passwords && i < a->passwords->nelts; i++) {
        const provisioning_password *pw = &APR_ARRAY_IDX(a->passwords, i, provisioning_password);
        const char *algorithm = pw->algorithm, *ha1 = pw->value;
        space_section *auth;

        if (strcmp(algorithm, "CLRTXT") == 0) {
            /* A legacy clear-text password travels as its MD5 HA1. */
            algorithm = "MD5";
            ha1 = crypto_digest_hex(doc->pool, DIGEST_MD5, a->username, ":", realm, ":",
                                    pw->value, NULL);
        }
        else if (strcmp(algorithm, "MD5") != 0 && strcmp(algorithm, "SHA-256") != 0) {
            continue;
        }
        auth = section(doc, apr_psprintf(doc->pool, "auth_info_%d", n++), 1);
        entry(doc, auth, "username", a->username);
        entry(doc, auth, "domain", a->domain);
        entry(doc, auth, "ha1", ha1);
        entry(doc, auth, "realm", realm);
        entry(doc, auth, "algorithm", algorithm);
    }
}

const char *provisioning_document(apr_pool_t *p, const accounts_space *request_space,
                                  const provisioning_account *account)
{
    document doc = { p, apr_array_make(p, 8, sizeof(space_section)) };
    const apr_array_header_t *custom = request_space->provisioning_custom;
    const char *overwrite = request_space->provisioning_overwrite == 1 ? " overwrite=\"true\"" : "";
    apr_array_header_t *out = apr_array_make(p, 64, sizeof(const char *));

    /* 1. the Space's custom sections, copied so completing them stays local */
    for (int i = 0; custom && i < custom->nelts; i++) {
        const space_section *c = &APR_ARRAY_IDX(custom, i, space_section);
        space_section *s = section(&doc, c->name, 1);
        for (int e = 0; e < c->entries->nelts; e++) {
            const space_entry *ce = &APR_ARRAY_IDX(c->entries, e, space_entry);
            entry(&doc, s, ce->key, ce->value);
        }
    }
    /* 2. misc */
    if (request_space->contacts_vcard_url && strcmp(request_space->contacts_vcard_url, "none") != 0) {
        entry(&doc, section(&doc, "misc", 1), "contacts-vcard-list", request_space->contacts_vcard_url);
    }
    /* 3 to 5. ui, proxy_0, auth_info_N */
    if (account) {
        add_account_sections(&doc, account);
    }

    *(const char **)apr_array_push(out) =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<config xmlns=\"http://www.linphone.org/xsds/lpconfig.xsd\">\n";
    for (int i = 0; i < doc.sections->nelts; i++) {
        const space_section *s = &APR_ARRAY_IDX(doc.sections, i, space_section);
        *(const char **)apr_array_push(out) =
            apr_psprintf(p, "  <section name=\"%s\">\n", markup_escape(p, s->name));
        for (int e = 0; e < s->entries->nelts; e++) {
            const space_entry *en = &APR_ARRAY_IDX(s->entries, e, space_entry);
            *(const char **)apr_array_push(out) =
                apr_psprintf(p, "    <entry name=\"%s\"%s>%s</entry>\n", markup_escape(p, en->key),
                             overwrite, markup_escape(p, en->value));
        }
        *(const char **)apr_array_push(out) = "  </section>\n";
    }
    *(const char **)apr_array_push(out) = "</config>\n";
    return apr_array_pstrcat(p, out, '\0');
}
