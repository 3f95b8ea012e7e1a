/* Outcomes from a results line and the expectations of its two stacks: a
 * hit is held against the side it is about, a reason that names what the
 * case did not show is a regression, and "unmeasured" is no evidence. */
#include <jansson.h>

#include "check.h"
#include "outcome.h"

static const char *const server_file = "stack alpha\n"
                                       "expect s/c@*/alpha>*/1.2 server\n"
                                       "  server-verdict full\n"
                                       "  rules none\n"
                                       "  reason \"sends the whole list\"\n"
                                       "end\n";
static const char *const client_file = "stack beta\n"
                                       "expect s/c@*/*>beta/1.2 client\n"
                                       "  client-verdict rejected\n"
                                       "  rules ALERT-ON-FAIL\n"
                                       "  reason \"src/x.c parse: fails with -404 and closes first\"\n"
                                       "end\n";

static json_t *line(const char *sv, const char *side, long err)
{
    json_t *l = json_pack("{s:s,s:s,s:s,s:s,s:s,s:[s],s:[{s:s,s:s,s:s}],s:{s:[s],s:[s]},s:n,s:{s:I,s:s},s:n,s:{}}",
                          "case", "s/c@1/alpha>beta/1.2", "server", "alpha", "client", "beta", "server_verdict", sv,
                          "client_verdict", "rejected", "rules", "ALERT-ON-FAIL", "rule_hits", "rule",
                          "ALERT-ON-FAIL", "side", side, "why", "closed first", "rules_checked", "server",
                          "ALERT-ON-FAIL", "client", "ALERT-ON-FAIL", "fault", "client_error", "code", (json_int_t)err,
                          "text", "x", "server_error", "alerts");
    return l;
}

static const char *outcome(cb_expectations *e, json_t *l)
{
    cb_outcome_apply(e, l);
    return json_string_value(json_object_get(l, "outcome"));
}

int main(void)
{
    cb_expectations e;
    memset(&e, 0, sizeof(e));
    e.files = calloc(2, sizeof(*e.files));
    char err[256];
    CHECK(cb_expect_parse("alpha.expect", server_file, strlen(server_file), &e.files[0], err, sizeof(err)) == 0);
    CHECK(cb_expect_parse("beta.expect", client_file, strlen(client_file), &e.files[1], err, sizeof(err)) == 0);
    e.n = 2;

    /* The client's silence, recorded in the client's file: pass. */
    json_t *l = line("full", "client", -404);
    CHECK_STR(outcome(&e, l), "pass");
    json_decref(l);
    /* The same rule about the server, whose file does not record it: a
     * finding, and it says which side. */
    l = line("full", "server", -404);
    CHECK_STR(outcome(&e, l), "finding");
    CHECK(strstr(json_string_value(json_object_get(l, "outcome_why")), "about the server") != NULL);
    json_decref(l);
    /* The client's reason names -404; a case that failed with -132 is not
     * what it describes. */
    l = line("full", "client", -132);
    CHECK_STR(outcome(&e, l), "regression");
    CHECK(strstr(json_string_value(json_object_get(l, "outcome_why")), "-404") != NULL);
    json_decref(l);
    /* A verdict that could not be measured is no evidence of a change... */
    l = line("unmeasured", "client", -404);
    CHECK_STR(outcome(&e, l), "pass");
    CHECK(json_is_string(json_object_get(l, "verdict_not_compared")));
    json_decref(l);
    /* ...but a measured one that differs is a regression. */
    l = line("truncated", "client", -404);
    CHECK_STR(outcome(&e, l), "regression");
    json_decref(l);
    cb_expectations_free(&e);
    CHECK_DONE();
}
