/* A static `true`: the command that costs least to start, so that what an init adds shows. */
int main(void)
{
	return 0;
}
