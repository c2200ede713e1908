/* Strict DER reader and canonical DER writer (X.690 10, 8). */
#include "x509/der.h"

#include <string.h>

#include "petrel/petrel.h"

/* Length octets, X.690 8.1.3 + 10.1: short form below 128, otherwise the
 * fewest long-form octets with no leading zero; 0x80 (indefinite) is BER. */
static int get_length(struct petrel_reader *r, size_t *out)
{
	uint8_t first;
	if (!petrel_get_u8(r, &first))
		return PETREL_E_DECODE_ERROR;
	if (first < 0x80) {
		*out = first;
		return 0;
	}
	unsigned n = first & 0x7fu;
	if (n == 0 || n > 3) /* indefinite, or longer than our size cap allows */
		return PETREL_E_DECODE_ERROR;
	size_t len = 0;
	for (unsigned i = 0; i < n; i++) {
		uint8_t b;
		if (!petrel_get_u8(r, &b))
			return PETREL_E_DECODE_ERROR;
		if (i == 0 && b == 0)
			return PETREL_E_DECODE_ERROR; /* leading zero: not minimal */
		len = (len << 8) | b;
	}
	if (len < 0x80)
		return PETREL_E_DECODE_ERROR; /* fits the short form */
	if (len > PETREL_DER_MAX_LEN)
		return PETREL_E_DECODE_ERROR;
	*out = len;
	return 0;
}

int petrel_der_get(struct petrel_reader *r, struct petrel_der_tlv *out)
{
	const uint8_t *start = r->p;
	uint8_t tag;
	size_t len;
	if (!petrel_get_u8(r, &tag))
		return PETREL_E_DECODE_ERROR;
	/* High-tag-number form (X.690 8.1.2.4) never occurs in X.509/PKCS. */
	if ((tag & 0x1f) == 0x1f)
		return PETREL_E_DECODE_ERROR;
	int rc = get_length(r, &len);
	if (rc < 0)
		return rc;
	if (!petrel_get_bytes(r, len, &out->body))
		return PETREL_E_DECODE_ERROR;
	out->tag = tag;
	out->len = len;
	out->raw = start;
	out->raw_len = (size_t)(r->p - start);
	return 0;
}

int petrel_der_expect(struct petrel_reader *r, uint8_t tag, struct petrel_der_tlv *out)
{
	if (!petrel_der_peek(r, tag))
		return PETREL_E_DECODE_ERROR;
	return petrel_der_get(r, out);
}

int petrel_der_enter(struct petrel_reader *r, uint8_t tag, struct petrel_reader *sub)
{
	struct petrel_der_tlv tlv;
	int rc = petrel_der_expect(r, tag, &tlv);
	if (rc < 0)
		return rc;
	petrel_reader_init(sub, tlv.body, tlv.len);
	return 0;
}

bool petrel_der_peek(const struct petrel_reader *r, uint8_t tag)
{
	return petrel_reader_left(r) > 0 && r->p[0] == tag;
}

int petrel_der_optional(struct petrel_reader *r, uint8_t tag, struct petrel_der_tlv *out)
{
	if (!petrel_der_peek(r, tag))
		return 0;
	int rc = petrel_der_get(r, out);
	return rc < 0 ? rc : 1;
}

int petrel_der_uint_body(const uint8_t *body, size_t len, const uint8_t **out, size_t *out_len)
{
	/* X.690 8.3.2: no redundant leading 0x00/0xff octet. */
	if (len == 0)
		return PETREL_E_DECODE_ERROR;
	if (body[0] & 0x80)
		return PETREL_E_DECODE_ERROR; /* negative */
	if (len > 1 && body[0] == 0x00) {
		if (!(body[1] & 0x80))
			return PETREL_E_DECODE_ERROR;
		body++;
		len--;
	}
	*out = body;
	*out_len = len;
	return 0;
}

int petrel_der_get_uint(struct petrel_reader *r, const uint8_t **out, size_t *len)
{
	struct petrel_der_tlv tlv;
	int rc = petrel_der_expect(r, PETREL_DER_INTEGER, &tlv);
	if (rc < 0)
		return rc;
	return petrel_der_uint_body(tlv.body, tlv.len, out, len);
}

int petrel_der_get_small_uint(struct petrel_reader *r, uint32_t *out)
{
	const uint8_t *mag;
	size_t len;
	int rc = petrel_der_get_uint(r, &mag, &len);
	if (rc < 0)
		return rc;
	if (len > 4 || (len == 4 && (mag[0] & 0x80)))
		return PETREL_E_DECODE_ERROR;
	uint32_t v = 0;
	for (size_t i = 0; i < len; i++)
		v = (v << 8) | mag[i];
	*out = v;
	return 0;
}

int petrel_der_get_bool(struct petrel_reader *r, bool *out)
{
	struct petrel_der_tlv tlv;
	int rc = petrel_der_expect(r, PETREL_DER_BOOLEAN, &tlv);
	if (rc < 0)
		return rc;
	/* X.690 11.1: TRUE is 0xff in DER. */
	if (tlv.len != 1 || (tlv.body[0] != 0x00 && tlv.body[0] != 0xff))
		return PETREL_E_DECODE_ERROR;
	*out = tlv.body[0] == 0xff;
	return 0;
}

int petrel_der_get_bits(struct petrel_reader *r, const uint8_t **out, size_t *len)
{
	struct petrel_der_tlv tlv;
	int rc = petrel_der_expect(r, PETREL_DER_BIT_STRING, &tlv);
	if (rc < 0)
		return rc;
	if (tlv.len < 1 || tlv.body[0] != 0)
		return PETREL_E_DECODE_ERROR;
	*out = tlv.body + 1;
	*len = tlv.len - 1;
	return 0;
}

int petrel_der_get_oid(struct petrel_reader *r, const uint8_t **oid, size_t *len)
{
	struct petrel_der_tlv tlv;
	int rc = petrel_der_expect(r, PETREL_DER_OID, &tlv);
	if (rc < 0)
		return rc;
	/* X.690 8.19.2: last octet ends a subidentifier, none starts with 0x80. */
	if (tlv.len == 0 || (tlv.body[tlv.len - 1] & 0x80))
		return PETREL_E_DECODE_ERROR;
	*oid = tlv.body;
	*len = tlv.len;
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static bool digits(const uint8_t *p, size_t n, unsigned *out)
{
	unsigned v = 0;
	for (size_t i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return false;
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	*out = v;
	return true;
}

static bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int petrel_der_get_time(struct petrel_reader *r, int64_t *out)
{
	struct petrel_der_tlv tlv;
	int rc = petrel_der_get(r, &tlv);
	if (rc < 0)
		return rc;
	/* RFC 5280 4.1.2.5.1/4.1.2.5.2: Zulu, seconds present, no fractions. */
	size_t year_digits;
	if (tlv.tag == PETREL_DER_UTC_TIME && tlv.len == 13)
		year_digits = 2;
	else if (tlv.tag == PETREL_DER_GENERALIZED_TIME && tlv.len == 15)
		year_digits = 4;
	else
		return PETREL_E_DECODE_ERROR;
	const uint8_t *p = tlv.body;
	unsigned year, mon, day, hour, min, sec;
	if (!digits(p, year_digits, &year) || !digits(p + year_digits, 2, &mon) ||
	    !digits(p + year_digits + 2, 2, &day) || !digits(p + year_digits + 4, 2, &hour) ||
	    !digits(p + year_digits + 6, 2, &min) || !digits(p + year_digits + 8, 2, &sec) ||
	    p[tlv.len - 1] != 'Z')
		return PETREL_E_DECODE_ERROR;
	if (year_digits == 2)
		year += year >= 50 ? 1900 : 2000; /* RFC 5280 4.1.2.5.1 */
	static const unsigned mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (mon < 1 || mon > 12 || day < 1 || day > mdays[mon - 1] ||
	    (mon == 2 && day == 29 && !is_leap(year)) || hour > 23 || min > 59 || sec > 59)
		return PETREL_E_DECODE_ERROR;
	*out = days_from_civil(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec;
	return 0;
}

int petrel_der_check(const uint8_t *der, size_t len)
{
	if (len == 0 || len > PETREL_DER_MAX_LEN + 8)
		return PETREL_E_DECODE_ERROR;
	/* Iterative walk with an explicit stack of open constructed values so
	 * hostile nesting costs neither recursion nor unbounded work. */
	struct petrel_reader stack[PETREL_DER_MAX_DEPTH];
	size_t depth = 1;
	petrel_reader_init(&stack[0], der, len);
	bool top_seen = false;
	while (depth > 0) {
		struct petrel_reader *r = &stack[depth - 1];
		if (petrel_reader_left(r) == 0) {
			depth--;
			continue;
		}
		if (depth == 1) {
			if (top_seen)
				return PETREL_E_DECODE_ERROR; /* trailing bytes */
			top_seen = true;
		}
		struct petrel_der_tlv tlv;
		int rc = petrel_der_get(r, &tlv);
		if (rc < 0)
			return rc;
		if (tlv.tag & PETREL_DER_CONSTRUCTED) {
			if (depth == PETREL_DER_MAX_DEPTH)
				return PETREL_E_DECODE_ERROR;
			petrel_reader_init(&stack[depth++], tlv.body, tlv.len);
		}
	}
	return 0;
}

/* ---- writer ---- */

bool petrel_der_put_open(struct petrel_writer *w, uint8_t tag, struct petrel_der_scope *scope)
{
	uint8_t *hdr;
	/* tag, 0x83, 3 length octets: covers PETREL_DER_MAX_LEN. */
	if (!petrel_put_reserve(w, 5, &hdr))
		return false;
	hdr[0] = tag;
	scope->header = hdr;
	return true;
}

static size_t encode_length(uint8_t *out, size_t len)
{
	if (len < 0x80) {
		out[0] = (uint8_t)len;
		return 1;
	}
	if (len <= 0xff) {
		out[0] = 0x81;
		out[1] = (uint8_t)len;
		return 2;
	}
	if (len <= 0xffff) {
		out[0] = 0x82;
		petrel_store_u16(out + 1, (uint16_t)len);
		return 3;
	}
	out[0] = 0x83;
	petrel_store_u24(out + 1, (uint32_t)len);
	return 4;
}

bool petrel_der_put_close(struct petrel_writer *w, const struct petrel_der_scope *scope)
{
	if (!petrel_writer_ok(w))
		return false;
	uint8_t *body = scope->header + 5;
	size_t body_len = (size_t)(w->p - body);
	if (body_len > 0xffffff) {
		w->failed = true;
		return false;
	}
	uint8_t lenbuf[4];
	size_t n = encode_length(lenbuf, body_len);
	memcpy(scope->header + 1, lenbuf, n);
	uint8_t *dst = scope->header + 1 + n;
	if (dst != body)
		memmove(dst, body, body_len);
	w->p = dst + body_len;
	return true;
}

bool petrel_der_put_tlv(struct petrel_writer *w, uint8_t tag, const uint8_t *body, size_t len)
{
	uint8_t hdr[5];
	hdr[0] = tag;
	if (len > 0xffffff) {
		w->failed = true;
		return false;
	}
	size_t n = encode_length(hdr + 1, len);
	return petrel_put_bytes(w, hdr, n + 1) && petrel_put_bytes(w, body, len);
}

bool petrel_der_put_uint(struct petrel_writer *w, const uint8_t *mag, size_t len)
{
	while (len > 1 && mag[0] == 0) {
		mag++;
		len--;
	}
	struct petrel_der_scope s;
	if (!petrel_der_put_open(w, PETREL_DER_INTEGER, &s))
		return false;
	if (len == 0 || (mag[0] & 0x80))
		petrel_put_u8(w, 0);
	if (len)
		petrel_put_bytes(w, mag, len);
	return petrel_der_put_close(w, &s);
}

bool petrel_der_put_small_uint(struct petrel_writer *w, uint32_t v)
{
	uint8_t be[4];
	be[0] = (uint8_t)(v >> 24);
	be[1] = (uint8_t)(v >> 16);
	be[2] = (uint8_t)(v >> 8);
	be[3] = (uint8_t)v;
	return petrel_der_put_uint(w, be, sizeof(be));
}

bool petrel_der_put_bits(struct petrel_writer *w, const uint8_t *bits, size_t len)
{
	struct petrel_der_scope s;
	return petrel_der_put_open(w, PETREL_DER_BIT_STRING, &s) && petrel_put_u8(w, 0) &&
	       petrel_put_bytes(w, bits, len) && petrel_der_put_close(w, &s);
}

static void put_2digits(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)('0' + v / 10 % 10);
	p[1] = (uint8_t)('0' + v % 10);
}

bool petrel_der_put_time(struct petrel_writer *w, int64_t secs)
{
	int64_t days = secs / 86400, rem = secs % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	int64_t year;
	unsigned mon, day;
	civil_from_days(days, &year, &mon, &day);
	if (year < 0 || year > 9999) {
		w->failed = true;
		return false;
	}
	uint8_t buf[15];
	size_t n = 0;
	/* RFC 5280 4.1.2.5: UTCTime for 1950..2049, GeneralizedTime otherwise. */
	bool utc = year >= 1950 && year <= 2049;
	if (utc) {
		put_2digits(buf, (unsigned)(year % 100));
		n = 2;
	} else {
		put_2digits(buf, (unsigned)(year / 100));
		put_2digits(buf + 2, (unsigned)(year % 100));
		n = 4;
	}
	put_2digits(buf + n, mon);
	put_2digits(buf + n + 2, day);
	put_2digits(buf + n + 4, (unsigned)(rem / 3600));
	put_2digits(buf + n + 6, (unsigned)(rem / 60 % 60));
	put_2digits(buf + n + 8, (unsigned)(rem % 60));
	buf[n + 10] = 'Z';
	return petrel_der_put_tlv(w, utc ? PETREL_DER_UTC_TIME : PETREL_DER_GENERALIZED_TIME, buf,
				  n + 11);
}
