/*
 * A static `true`: the command that costs least to start, so that what an init adds shows.
 * Built a second time with -DSTATUS=1 as `false`, so the harness can check that the status
 * comes back through each init.
 */
#ifndef STATUS
#define STATUS 0
#endif

int main(void)
{
	return STATUS;
}
