/**
 * Send and receive buffer the server asks for on its media sockets (the WebRtcServer's shared UDP
 * and TCP sockets, the plain-RTP ingest). A plain-RTP source such as ffmpeg sends each keyframe as
 * one burst; while the single-threaded worker fans earlier packets out to hundreds of viewers, the
 * kernel's 208 kB default overflows and every viewer loses the same packets. The kernel grants at
 * most net.core.rmem_max / wmem_max.
 */
export const SOCKET_BUFFER_BYTES = 4 * 1024 * 1024;
