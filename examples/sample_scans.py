"""Writes small KITTI-style LiDAR scans (float32 x, y, z, intensity per point) for the README's
first command: a sensor driving down a street of boxes, one `scan_<i>.bin` per frame.

    python examples/sample_scans.py examples/output/scans --frames 30
    cloudreel render 'examples/output/scans/scan_*.bin' -o drive.mp4 --fps 10 --color-by intensity
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np


def street(rng: np.random.Generator, length: float = 120.0) -> tuple[np.ndarray, np.ndarray]:
    """The world: a road surface and boxes (cars, walls) along both sides, with an intensity per point."""
    n_ground = 120_000
    ground = np.column_stack([rng.uniform(-10, length + 10, n_ground), rng.uniform(-12, 12, n_ground),
                              rng.normal(-1.7, 0.02, n_ground)])
    # Lane markings reflect more than asphalt.
    ground_i = np.where(np.abs(np.abs(ground[:, 1]) - 1.75) < 0.08, 0.9, rng.uniform(0.05, 0.25, n_ground))
    boxes, box_i = [], []
    for x in np.arange(0, length, 7.5):
        for side in (-1, 1):
            centre = np.array([x + rng.uniform(-1.5, 1.5), side * rng.uniform(5.0, 8.0), -1.7])
            size = np.array([rng.uniform(3.5, 4.5), rng.uniform(1.6, 2.0), rng.uniform(1.3, 3.0)])
            pts = rng.uniform(0, 1, (2_500, 3)) * size
            face = rng.integers(0, 3, len(pts))  # push each point onto one face of the box
            pts[np.arange(len(pts)), face] = np.where(rng.random(len(pts)) < 0.5, 0, size[face])
            boxes.append(pts + centre - [size[0] / 2, size[1] / 2, 0])
            box_i.append(np.full(len(pts), rng.uniform(0.3, 0.7)))
    return np.vstack([ground, *boxes]), np.concatenate([ground_i, *box_i])


def scan(world: np.ndarray, intensity: np.ndarray, x: float, rng: np.random.Generator, points: int) -> np.ndarray:
    """What a sensor at (x, 0, 0) sees within 30 m, in its own coordinates, as KITTI's (N, 4) float32."""
    local = world - [x, 0.0, 0.0]
    near = np.flatnonzero(np.hypot(local[:, 0], local[:, 1]) < 30.0)
    pick = rng.choice(near, size=min(points, len(near)), replace=False)
    jitter = rng.normal(0, 0.01, (len(pick), 3))
    return np.column_stack([local[pick] + jitter, intensity[pick]]).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path, help="folder for scan_<i>.bin")
    parser.add_argument("--frames", type=int, default=30)
    parser.add_argument("--points", type=int, default=20_000, help="points per scan")
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    world, intensity = street(rng)
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("scan_*.bin"):
        old.unlink()
    for i in range(args.frames):
        scan(world, intensity, 10.0 + 2.5 * i, rng, args.points).tofile(args.out / f"scan_{i}.bin")
    print(f"Wrote {args.frames} scans of {args.points} points to {args.out}")


if __name__ == "__main__":
    main()
