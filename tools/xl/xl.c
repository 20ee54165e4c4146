/* The xl program: everything is in xl_dispatch() so tests can run it too. */
#include "xl.h"

int main(int argc, char **argv)
{
    return xl_dispatch(argc - 1, argv + 1);
}
