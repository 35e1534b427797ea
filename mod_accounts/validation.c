#include "validation.h"
#include "json.h"

#include <string.h>

#include <apr_strings.h>
#include <apr_tables.h>

typedef struct {
    const char *field;
    apr_array_header_t *messages;   /* of const char * */
} field_errors;

struct validation {
    apr_pool_t *pool;
    apr_array_header_t *fields;      /* of field_errors, in failure order */
    int count;                       /* messages in all */
};

validation *validation_create(apr_pool_t *p)
{
    validation *v = apr_pcalloc(p, sizeof(*v));
    v->pool = p;
    v->fields = apr_array_make(p, 4, sizeof(field_errors));
    return v;
}

void validation_add(validation *v, const char *field, const char *message)
{
    field_errors *fe = NULL;

    for (int i = 0; i < v->fields->nelts; i++) {
        field_errors *candidate = &APR_ARRAY_IDX(v->fields, i, field_errors);
        if (strcmp(candidate->field, field) == 0) {
            fe = candidate;
            break;
        }
    }
    if (!fe) {
        fe = apr_array_push(v->fields);
        fe->field = field;
        fe->messages = apr_array_make(v->pool, 2, sizeof(const char *));
    }
    *(const char **)apr_array_push(fe->messages) = message;
    v->count++;
}

void validation_fail(validation *v, const char *field, const char *template_text)
{
    char *attr = apr_pstrdup(v->pool, field);
    const char *marker = strstr(template_text, "<attr>");

    for (char *c = attr; *c; c++) {
        if (*c == '_') {
            *c = ' ';
        }
    }
    if (!marker) {
        validation_add(v, field, template_text);
        return;
    }
    validation_add(v, field, apr_pstrcat(v->pool,
                                         apr_pstrndup(v->pool, template_text,
                                                      (apr_size_t)(marker - template_text)),
                                         attr, marker + strlen("<attr>"), NULL));
}

int validation_failed(const validation *v)
{
    return v->count > 0;
}

json_object *validation_to_json(const validation *v)
{
    json_object *body = json_pool_object(v->pool);
    json_object *errors = json_object_new_object();
    const char *first = NULL;

    for (int i = 0; i < v->fields->nelts; i++) {
        field_errors *fe = &APR_ARRAY_IDX(v->fields, i, field_errors);
        json_object *list = json_object_new_array();
        for (int m = 0; m < fe->messages->nelts; m++) {
            const char *msg = APR_ARRAY_IDX(fe->messages, m, const char *);
            if (!first) {
                first = msg;
            }
            json_object_array_add(list, json_object_new_string(msg));
        }
        json_object_object_add(errors, fe->field, list);
    }
    if (v->count > 1) {
        first = apr_psprintf(v->pool, "%s (and %d more error%s)", first, v->count - 1,
                             v->count - 1 == 1 ? "" : "s");
    }
    json_object_object_add(body, "message", json_object_new_string(first ? first : ""));
    json_object_object_add(body, "errors", errors);
    return body;
}
