/**
 * The length of a recording's HLS segments, shared by the recorder (ffmpeg's -hls_time, and a
 * keyframe asked of the speaker as often) and the live-HLS player (how far behind the live edge
 * it plays). One second keeps live HLS within about 4 s of the stage.
 */
export const SEGMENT_SECONDS = 1;
