#include "utf8.h"
#include "fuzz.h"

#include <errno.h>
#include <iconv.h>

int fuzz_utf8_valid(const char *s, size_t len)
{
    static iconv_t cd = (iconv_t)-1;
    char *in = (char *)s;
    size_t left = len;

    if (cd == (iconv_t)-1) {
        cd = iconv_open("UTF-32LE", "UTF-8");
        FUZZ_ASSERT(cd != (iconv_t)-1);
    }
    iconv(cd, NULL, NULL, NULL, NULL);
    /* Converted in slices: only whether the input runs out cleanly counts. */
    while (left > 0) {
        char out[1024], *o = out;
        size_t room = sizeof(out);
        if (iconv(cd, &in, &left, &o, &room) == (size_t)-1 && errno != E2BIG) {
            return 0;   /* EILSEQ: malformed; EINVAL: cut short */
        }
    }
    return 1;
}
