#include "httpc.h"

#include <curl/curl.h>
#include <stdio.h>
#include <pthread.h>
#include <string.h>

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_setup(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
	sbuf_add(userdata, data, size * nmemb);
	return size * nmemb;
}

int http_get(const char *url, long timeout_ms, struct http_response *resp, struct sbuf *err)
{
	pthread_once(&curl_once, curl_setup);
	memset(resp, 0, sizeof *resp);
	CURL *c = curl_easy_init();
	if (!c) {
		sbuf_puts(err, "curl_easy_init failed");
		return -1;
	}
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &resp->body);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	CURLcode rc = curl_easy_perform(c);
	if (rc != CURLE_OK) {
		sbuf_puts(err, errbuf[0] ? errbuf : curl_easy_strerror(rc));
		curl_easy_cleanup(c);
		return -1;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	char *ct = NULL;
	if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct)
		snprintf(resp->content_type, sizeof resp->content_type, "%s", ct);
	curl_easy_cleanup(c);
	return 0;
}

void http_response_free(struct http_response *resp)
{
	sbuf_free(&resp->body);
}
