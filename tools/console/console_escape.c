/* The escape character of `xl console -e` and `xenconsole -e`: "^]" or one character. */
#include "console_client.h"

int console_parse_escape(const char *text)
{
    if (text[0] == '^' && text[1] && !text[2]) {
        int ch = text[1] == '?' ? 0x7f : (text[1] & 0x1f);

        return (text[1] >= '@' && text[1] <= '_') || (text[1] >= 'a' && text[1] <= 'z') ||
                       text[1] == '?'
                   ? ch
                   : -1;
    }
    return text[0] && !text[1] ? (unsigned char)text[0] : -1;
}
