/*
 * Compares two PNG frames of `sim viz --png`, or counts a colour in one.
 *
 *   viz_png_cmp EXPECTED ACTUAL     exit 0 when the sizes match and at most
 *                                   0.1 % of pixels differ by more than 32 in
 *                                   a channel (font antialiasing may move a
 *                                   little between library versions; every
 *                                   opaque rectangle and line must match)
 *   viz_png_cmp --count FILE RRGGBB prints how many pixels have that colour
 */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct img {
	png_uint_32 w, h;
	unsigned char *rgb;
};

static int load(const char *path, struct img *im)
{
	png_image p;

	memset(&p, 0, sizeof(p));
	p.version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(&p, path)) {
		fprintf(stderr, "viz_png_cmp: %s: %s\n", path, p.message);
		return 0;
	}
	p.format = PNG_FORMAT_RGB;
	im->w = p.width;
	im->h = p.height;
	im->rgb = malloc(PNG_IMAGE_SIZE(p));
	if (!im->rgb || !png_image_finish_read(&p, NULL, im->rgb, 0, NULL)) {
		fprintf(stderr, "viz_png_cmp: %s: %s\n", path, p.message);
		return 0;
	}
	return 1;
}

int main(int argc, char **argv)
{
	struct img a, b;
	unsigned long bad = 0, n;

	if (argc == 4 && strcmp(argv[1], "--count") == 0) {
		unsigned long rgb = strtoul(argv[3], NULL, 16), count = 0;

		if (!load(argv[2], &a))
			return 2;
		for (n = 0; n < (unsigned long)a.w * a.h; n++)
			count += a.rgb[3 * n] == (rgb >> 16 & 255) && a.rgb[3 * n + 1] == (rgb >> 8 & 255) &&
				 a.rgb[3 * n + 2] == (rgb & 255);
		printf("%lu\n", count);
		free(a.rgb);
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: viz_png_cmp EXPECTED ACTUAL | --count FILE RRGGBB\n");
		return 2;
	}
	if (!load(argv[1], &a) || !load(argv[2], &b))
		return 2;
	if (a.w != b.w || a.h != b.h) {
		printf("size %ux%u, expected %ux%u\n", b.w, b.h, a.w, a.h);
		free(a.rgb);
		free(b.rgb);
		return 1;
	}
	for (n = 0; n < (unsigned long)a.w * a.h * 3; n++) {
		int d = a.rgb[n] - b.rgb[n];

		if (d > 32 || d < -32) {
			bad++;
			n += 2 - n % 3;   /* count the pixel once */
		}
	}
	printf("%lu of %lu pixels differ\n", bad, (unsigned long)a.w * a.h);
	free(a.rgb);
	free(b.rgb);
	return bad * 1000 > (unsigned long)a.w * a.h ? 1 : 0;
}
