// The libsrtp 3 API that mediasoup >= 3.13 calls (its own fork of libsrtp, not
// packaged anywhere reachable offline), implemented on libsrtp 2's API. libsrtp 2
// is built on OpenSSL from the sources mediasoup 3.8.4 shipped (see setup.mjs).
// C++ only: the functions whose names libsrtp 2 already uses are overloads.
#ifndef ESTRAD_SRTP3_COMPAT_H
#define ESTRAD_SRTP3_COMPAT_H

#include "../srtp/include/srtp.h"
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>

// libsrtp 3 error codes that libsrtp 2 lacks (values as in libsrtp 3).
constexpr srtp_err_status_t srtp_err_status_buffer_small = static_cast<srtp_err_status_t>(28);
constexpr srtp_err_status_t srtp_err_status_cryptex_err  = static_cast<srtp_err_status_t>(29);

// libsrtp 3 makes the policy an opaque handle; libsrtp 2 fills a struct that points
// at the key, so the handle owns both.
typedef srtp_policy_t srtp2_policy_struct_t;
struct srtp3_compat_policy
{
	srtp2_policy_struct_t v2;
	unsigned char key[SRTP_MAX_KEY_LEN];
};
#define srtp_policy_t srtp3_compat_policy*

inline srtp_err_status_t srtp_policy_create(srtp3_compat_policy** policy)
{
	*policy = new (std::nothrow) srtp3_compat_policy{};

	return *policy ? srtp_err_status_ok : srtp_err_status_alloc_fail;
}

inline void srtp_policy_destroy(srtp3_compat_policy* policy)
{
	delete policy;
}

inline srtp_err_status_t srtp_policy_set_ssrc(srtp3_compat_policy* policy, srtp_ssrc_t ssrc)
{
	policy->v2.ssrc = ssrc;

	return srtp_err_status_ok;
}

inline srtp_err_status_t srtp_policy_set_profile(srtp3_compat_policy* policy, srtp_profile_t profile)
{
	const srtp_err_status_t err = srtp_crypto_policy_set_from_profile_for_rtp(&policy->v2.rtp, profile);

	if (err != srtp_err_status_ok)
		return err;

	return srtp_crypto_policy_set_from_profile_for_rtcp(&policy->v2.rtcp, profile);
}

// libsrtp 2 takes the master key and salt as one buffer, key first.
inline srtp_err_status_t srtp_policy_add_key(
  srtp3_compat_policy* policy,
  const uint8_t* key,
  size_t keyLen,
  const uint8_t* salt,
  size_t saltLen,
  const uint8_t* mki,
  size_t mkiLen)
{
	if (keyLen + saltLen > sizeof(policy->key) || mki != nullptr || mkiLen != 0)
		return srtp_err_status_bad_param;

	std::memcpy(policy->key, key, keyLen);
	std::memcpy(policy->key + keyLen, salt, saltLen);
	policy->v2.key = policy->key;

	return srtp_err_status_ok;
}

inline srtp_err_status_t srtp_policy_set_allow_repeat_tx(srtp3_compat_policy* policy, bool allow)
{
	policy->v2.allow_repeat_tx = allow ? 1 : 0;

	return srtp_err_status_ok;
}

inline srtp_err_status_t srtp_policy_set_window_size(srtp3_compat_policy* policy, size_t windowSize)
{
	policy->v2.window_size = windowSize;

	return srtp_err_status_ok;
}

inline srtp_err_status_t srtp_create(srtp_t* session, srtp3_compat_policy* policy)
{
	return srtp_create(session, &policy->v2);
}

// libsrtp 3 renamed srtp_remove_stream.
inline srtp_err_status_t srtp_stream_remove(srtp_t session, uint32_t ssrc)
{
	return srtp_remove_stream(session, ssrc);
}

// libsrtp 3 (un)protects from an input buffer into an output buffer of a given size;
// libsrtp 2 works in place, and protecting needs room for the trailer after the packet.
inline srtp_err_status_t srtp3_compat_in_place(
  srtp_err_status_t (*operation)(srtp_t, void*, int*),
  size_t room,
  srtp_t ctx,
  const uint8_t* in,
  size_t inLen,
  uint8_t* out,
  size_t* outLen)
{
	if (*outLen < inLen + room)
		return srtp_err_status_buffer_small;

	if (out != in)
		std::memmove(out, in, inLen);

	int len = static_cast<int>(inLen);
	const srtp_err_status_t err = operation(ctx, out, &len);

	if (err == srtp_err_status_ok)
		*outLen = static_cast<size_t>(len);

	return err;
}

inline srtp_err_status_t srtp_protect(
  srtp_t ctx, const uint8_t* rtp, size_t rtpLen, uint8_t* srtp, size_t* srtpLen, size_t /*mkiIndex*/)
{
	return srtp3_compat_in_place(srtp_protect, SRTP_MAX_TRAILER_LEN, ctx, rtp, rtpLen, srtp, srtpLen);
}

inline srtp_err_status_t srtp_unprotect(
  srtp_t ctx, const uint8_t* srtp, size_t srtpLen, uint8_t* rtp, size_t* rtpLen)
{
	return srtp3_compat_in_place(srtp_unprotect, 0, ctx, srtp, srtpLen, rtp, rtpLen);
}

inline srtp_err_status_t srtp_protect_rtcp(
  srtp_t ctx, const uint8_t* rtcp, size_t rtcpLen, uint8_t* srtcp, size_t* srtcpLen, size_t /*mkiIndex*/)
{
	return srtp3_compat_in_place(srtp_protect_rtcp, SRTP_MAX_TRAILER_LEN, ctx, rtcp, rtcpLen, srtcp, srtcpLen);
}

inline srtp_err_status_t srtp_unprotect_rtcp(
  srtp_t ctx, const uint8_t* srtcp, size_t srtcpLen, uint8_t* rtcp, size_t* rtcpLen)
{
	return srtp3_compat_in_place(srtp_unprotect_rtcp, 0, ctx, srtcp, srtcpLen, rtcp, rtcpLen);
}

#endif
