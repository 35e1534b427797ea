/*
 * Validation failures collected per field, rendered as Laravel's 422 body
 * (api.md 1.5): {"message": first message [+ " (and N more errors)"],
 * "errors": {field: [messages...]}} with fields in the order they failed
 * (callers check fields in the endpoint's rule order). No httpd header.
 */
#ifndef ACCOUNTS_VALIDATION_H
#define ACCOUNTS_VALIDATION_H

#include <apr_pools.h>
#include <json-c/json.h>

typedef struct validation validation;

validation *validation_create(apr_pool_t *p);

/* Adds one message to a field (fields keep their first-failure order). */
void validation_add(validation *v, const char *field, const char *message);

/* Adds a standard message: template with "<attr>" replaced by the field
 * name with '_' as ' ', e.g. "The <attr> field is required.". */
void validation_fail(validation *v, const char *field, const char *template_text);

int validation_failed(const validation *v);

/* The 422 body (a pool-owned root). */
json_object *validation_to_json(const validation *v);

/* Standard templates (exact texts of api.md 1.5). */
#define RULE_REQUIRED "The <attr> field is required."
#define RULE_IN "The selected <attr> is invalid."
#define RULE_STRING "The <attr> must be a string."
#define RULE_BOOLEAN "The <attr> field must be true or false."
/* api-lifecycle.md 1.4 */
#define RULE_ALPHA_DASH "The <attr> may only contain letters, numbers, dashes and underscores."
#define RULE_ALPHA_NUM "The <attr> may only contain letters and numbers."

#endif
