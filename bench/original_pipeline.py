"""The original tool's export, re-implemented faithfully for the benchmark.

Follows ../shared/reference/export-pipeline.md step by step: one matplotlib 3D
scatter per frame (figsize 12x9, dpi 100, black), saved as PNG with
bbox_inches='tight', then cv2.VideoWriter (mp4v, falling back to XVID and
MJPG) at the FIRST frame's size, every frame read back with cv2.imread. Like
the original it silently drops frames whose PNG size differs from the first
one (OpenCV's writer ignores them): the caller counts the frames in the video
with ffprobe.

Frames come from the benchmark's cache: raw little-endian float32 positions and
colours (F x N x 3 each). `--render-frames K` renders only the first K frames
(titles still say "Frame i/F") so that long cases can be extrapolated.

Prints one JSON object with the timings.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile
import time

import matplotlib

matplotlib.use("Agg")  # what a headless Streamlit server uses

import cv2  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402


def export_animation_video(frames_data, fps=5, total_frames=None, status=None):
    """The original export_animation_video, with Streamlit's session state replaced by `status`."""
    total = total_frames or len(frames_data)
    marks = {"start": time.perf_counter()}

    # Phase 1: initialization
    status("Initializing export...")
    temp_dir = tempfile.mkdtemp(prefix="animation_")
    status(f"Preparing to render {total} frames...")

    # Phase 2: frame rendering
    frame_paths = []
    render_seconds = []
    for i, frame_data in enumerate(frames_data):
        t0 = time.perf_counter()
        points = frame_data["points"]
        colors = frame_data["colors"]

        progress = (i + 1) / total
        status(f"Rendering frame {i+1}/{total} ({progress*100:.0f}%)")

        fig = plt.figure(figsize=(12, 9), facecolor="black", dpi=100)
        ax = fig.add_subplot(111, projection="3d", facecolor="black")

        if colors is not None:
            ax.scatter(points[:, 0], points[:, 1], points[:, 2], c=colors, s=3, alpha=0.8, edgecolors="none")
        else:
            ax.scatter(points[:, 0], points[:, 1], points[:, 2], c=points[:, 2], cmap="viridis", s=3, alpha=0.8, edgecolors="none")

        ax.set_title(f"Frame {i+1}/{total} | {len(points)} points", color="white", fontsize=14, pad=20)

        frame_path = os.path.join(temp_dir, f"frame_{i:04d}.png")
        plt.savefig(frame_path, dpi=100, bbox_inches="tight", facecolor="black", edgecolor="none", format="png")
        plt.close()

        if not os.path.exists(frame_path) or os.path.getsize(frame_path) < 1000:
            raise ValueError(f"Frame {i+1} failed to render properly")
        frame_paths.append(frame_path)
        render_seconds.append(time.perf_counter() - t0)
    marks["rendered"] = time.perf_counter()

    # Phase 3: video encoding, codecs in order, the first frame's size for all
    status("Encoding video...")
    first = cv2.imread(frame_paths[0])
    height, width = first.shape[:2]
    codecs_to_try = [
        ("mp4v", ".mp4", "MP4V Standard"),
        ("XVID", ".avi", "XVID AVI"),
        ("MJPG", ".avi", "Motion JPEG"),
    ]
    success = False
    attempts = []
    for codec, ext, description in codecs_to_try:
        status(f"Trying {description}...")
        test_path = os.path.join(temp_dir, f"animation{ext}")
        try:
            fourcc = cv2.VideoWriter_fourcc(*codec)
            video = cv2.VideoWriter(test_path, fourcc, fps, (width, height))
            for frame_path in frame_paths:
                frame = cv2.imread(frame_path)
                video.write(frame)
            video.release()
            size = os.path.getsize(test_path) if os.path.exists(test_path) else 0
            attempts.append({"codec": codec, "bytes": size})
            if size > 5000:
                success = True
                final_video_path, file_ext = test_path, ext
                break
        except Exception as e:  # the original swallows every failure and tries the next codec
            attempts.append({"codec": codec, "error": str(e)})
            continue
    if not success:
        status("Export failed: every codec failed")
        raise RuntimeError(f"every codec failed: {attempts}")
    marks["encoded"] = time.perf_counter()

    # Phase 4: completion (the bytes the download button would serve)
    with open(final_video_path, "rb") as f:
        video_data = f.read()
    status(f"Video ready! ({len(video_data) / (1024*1024):.1f} MB)")
    marks["done"] = time.perf_counter()

    sizes = {}
    for p in frame_paths:
        h, w = cv2.imread(p).shape[:2]
        sizes[f"{w}x{h}"] = sizes.get(f"{w}x{h}", 0) + 1
    return {
        "video_data": video_data,
        "file_ext": file_ext,
        "temp_dir": temp_dir,
        "width": width,
        "height": height,
        "png_sizes": sizes,
        "frames_matching_first_size": sizes[f"{width}x{height}"],
        "attempts": attempts,
        "render_seconds_per_frame": render_seconds,
        "render_seconds": marks["rendered"] - marks["start"],
        "encode_seconds": marks["encoded"] - marks["rendered"],
        "total_seconds": marks["done"] - marks["start"],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--positions", required=True)
    ap.add_argument("--colors", required=True)
    ap.add_argument("--frames", type=int, required=True, help="frames in the files")
    ap.add_argument("--points", type=int, required=True, help="points per frame")
    ap.add_argument("--render-frames", type=int, default=None, help="render only the first K frames")
    ap.add_argument("--fps", type=float, default=5)
    ap.add_argument("--out", required=True, help="where to copy the video")
    args = ap.parse_args()

    k = args.render_frames or args.frames
    per = args.points * 3
    # Read before timing: the frames are already in memory when the user clicks Export.
    pos = np.fromfile(args.positions, dtype="<f4", count=k * per).reshape(k, args.points, 3)
    col = np.fromfile(args.colors, dtype="<f4", count=k * per).reshape(k, args.points, 3)
    frames_data = [{"points": pos[i], "colors": col[i]} for i in range(k)]

    statuses = []
    r = export_animation_video(frames_data, fps=args.fps, total_frames=args.frames, status=statuses.append)
    with open(args.out, "wb") as f:
        f.write(r.pop("video_data"))
    t0 = time.perf_counter()
    shutil.rmtree(r.pop("temp_dir"))
    r["cleanup_seconds"] = time.perf_counter() - t0
    r["rendered_frames"] = k
    r["statuses_first_last"] = [statuses[0], statuses[-1]]
    r["versions"] = {"python": sys.version.split()[0], "matplotlib": matplotlib.__version__, "opencv": cv2.__version__, "numpy": np.__version__, "backend": matplotlib.get_backend()}
    print(json.dumps(r))


if __name__ == "__main__":
    main()
