#!/usr/bin/env python3
"""The peers a user would otherwise pick, on the benchmarks' shapes and data, one JSON line per measurement.

    python3 peers.py gemm              numpy matmul (OpenBLAS with libopenblas0-pthread), 1024^3, float32 and float64
    python3 peers.py train             PyTorch SGD steps: 784-256-256-10 tanh/softmax (batch 256), 64-64-1 logistic (batch 32)
    python3 peers.py train-fit         PyTorch training loop as users write it: 784-256-256-10, 6 epochs of 12,800 rows, batch 256, shuffled
    python3 peers.py predict           PyTorch inference as users score a data set: 784-256-256-10 tanh/softmax on 50,000 rows, no_grad
    python3 peers.py glm-wide DATA_DIR the same on WideGlmBench's exported designs (1,000,000 x 100 and 200,000 x 500)
    python3 peers.py glm DATA_DIR      scikit-learn LogisticRegression(newton-cholesky) on GlmFitBench's exported data
    python3 peers.py first-fit DATA_DIR ROWS  the same, first and second fit in a fresh process on the first ROWS rows

Each peer gets its best configuration here (see benchmarks/README.md): numpy/OpenBLAS with OPENBLAS_CORETYPE and
OPENBLAS_L2_SIZE unset by the caller, so that it picks its AVX-512 kernels; torch with one intra-op thread. Times are
medians of repeated runs after a warm-up. A missing module prints {"missing": ...} and exits 0.
"""
import json
import os
import statistics
import sys
import time


def emit(**fields):
    print(json.dumps(fields), flush=True)


def median_time(fn, repeats):
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def gemm():
    try:
        import numpy as np
    except ImportError:
        return emit(peer="numpy", missing="python3-numpy is not installed")
    blas = "unknown"
    try:
        from threadpoolctl import threadpool_info
        info = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        if info:
            blas = f"{info[0].get('internal_api')} {info[0].get('version')} core {info[0].get('architecture')} threads {info[0].get('num_threads')}"
    except ImportError:
        pass
    for threads in (1, 2):
        try:
            from threadpoolctl import threadpool_limits, threadpool_info
            limiter = threadpool_limits(limits=threads, user_api="blas")
            info = [i for i in threadpool_info() if i.get("user_api") == "blas"]
            if info:
                blas = f"{info[0].get('internal_api')} {info[0].get('version')} core {info[0].get('architecture')} threads {info[0].get('num_threads')}"
        except ImportError:
            limiter = None
        for dtype, name in ((np.float32, "float"), (np.float64, "double")):
            rng = np.random.default_rng(1)
            a = rng.random((1024, 1024), dtype=np.float64).astype(dtype)
            b = rng.random((1024, 1024), dtype=np.float64).astype(dtype)
            t = median_time(lambda: a @ b, 9)
            emit(peer="numpy", work="gemm 1024x1024x1024", type=name, threads=threads, seconds=t, gflops=2 * 1024 ** 3 / t / 1e9, config=blas)
        if limiter is not None:
            limiter.unregister()


def blas_threads(threads):
    """Limits the BLAS torch calls (Debian's torch uses the system OpenBLAS) to `threads`; returns a description."""
    try:
        from threadpoolctl import threadpool_limits, threadpool_info
    except ImportError:
        return None, "BLAS threads not controlled (python3-threadpoolctl missing)"
    limiter = threadpool_limits(limits=threads, user_api="blas")
    info = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    text = f"{info[0].get('internal_api')} {info[0].get('version')} core {info[0].get('architecture')}, {info[0].get('num_threads')} BLAS thread(s)" if info else "no BLAS loaded"
    return limiter, text


def train():
    try:
        import torch
    except ImportError:
        return emit(peer="torch", missing="python3-torch is not installed")
    torch.set_num_threads(1)
    torch.nn.Linear(2, 2)(torch.rand(2, 2))  # loads the BLAS so that its threads can be limited
    _, blas = blas_threads(1)
    torch.manual_seed(1)
    for name, widths, batch in (("784-256-256-10 tanh/softmax", [784, 256, 256, 10], 256), ("64-64-1 tanh/logistic", [64, 64, 1], 32)):
        layers = []
        for i in range(len(widths) - 1):
            layers.append(torch.nn.Linear(widths[i], widths[i + 1]))
            if i < len(widths) - 2:
                layers.append(torch.nn.Tanh())
        model = torch.nn.Sequential(*layers)
        opt = torch.optim.SGD(model.parameters(), lr=1e-3)
        x = torch.rand(batch, widths[0])
        if widths[-1] == 1:
            y = torch.randint(0, 2, (batch, 1)).float()
            loss_fn = torch.nn.BCEWithLogitsLoss()
        else:
            y = torch.randint(0, widths[-1], (batch,))
            loss_fn = torch.nn.CrossEntropyLoss()

        def step():
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(model(x), y)
            loss.backward()
            opt.step()

        steps = 200 if batch == 256 else 2000
        t = median_time(lambda: [step() for _ in range(steps)], 3) / steps
        emit(peer="torch", work=f"train step {name}", batch=batch, threads=1, seconds=t, samples_per_second=batch / t,
             config=f"torch {torch.__version__}, 1 intra-op thread, {blas}")


def train_fit():
    try:
        import torch
    except ImportError:
        return emit(peer="torch", missing="python3-torch is not installed")
    rows, epochs, batch = 12_800, 6, 256
    torch.set_num_threads(1)  # its best setting here: one intra-op thread, the BLAS threaded (2 intra-op threads are 4-5x slower)
    torch.nn.Linear(2, 2)(torch.rand(2, 2))
    for threads in (1, 2):
        limiter, blas = blas_threads(threads)
        torch.manual_seed(1)
        model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.Tanh(), torch.nn.Linear(256, 256), torch.nn.Tanh(), torch.nn.Linear(256, 10))
        opt = torch.optim.SGD(model.parameters(), lr=1e-3)
        loss_fn = torch.nn.CrossEntropyLoss()
        x = torch.rand(rows, 784)
        y = torch.randint(0, 10, (rows,))

        def fit():
            for _ in range(epochs):
                order = torch.randperm(rows)
                total = 0.0
                for s in range(0, rows, batch):
                    idx = order[s:s + batch]
                    opt.zero_grad(set_to_none=True)
                    loss = loss_fn(model(x[idx]), y[idx])
                    loss.backward()
                    opt.step()
                    total += loss.item() * len(idx)

        t = median_time(fit, 3) / epochs
        emit(peer="torch", work="train fit 784-256-256-10 tanh/softmax, per epoch", threads=threads, seconds=t, samples_per_second=rows / t,
             config=f"torch {torch.__version__}, 1 intra-op thread, {blas}")
        if limiter is not None:
            limiter.unregister()


def predict():
    try:
        import torch
    except ImportError:
        return emit(peer="torch", missing="python3-torch is not installed")
    rows = 50_000
    torch.set_num_threads(1)  # its best setting here: one intra-op thread, the BLAS threaded
    torch.nn.Linear(2, 2)(torch.rand(2, 2))
    limiter, blas = blas_threads(2)
    torch.manual_seed(1)
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.Tanh(), torch.nn.Linear(256, 256), torch.nn.Tanh(), torch.nn.Linear(256, 10))
    model.eval()
    x = torch.rand(rows, 784)

    def run():
        with torch.no_grad():
            eta = model(x)
            return torch.softmax(eta, dim=1)

    t = median_time(run, 5)
    emit(peer="torch", work=f"predict 784-256-256-10 tanh/softmax, {rows} rows", threads=2, seconds=t, samples_per_second=rows / t,
         config=f"torch {torch.__version__}, 1 intra-op thread, {blas}, no_grad")
    if limiter is not None:
        limiter.unregister()


def glm(folder):
    try:
        import numpy as np
        from sklearn.linear_model import LogisticRegression
        import sklearn
    except ImportError:
        return emit(peer="scikit-learn", missing="python3-sklearn is not installed")
    n, k = 1_000_000, 20
    x = np.fromfile(os.path.join(folder, "logistic_x.bin"), dtype="<f8").reshape(n, k)
    y = np.fromfile(os.path.join(folder, "logistic_y.bin"), dtype="<f8")
    model = LogisticRegression(penalty=None, solver="newton-cholesky", tol=1e-8, max_iter=100)
    t = median_time(lambda: model.fit(x, y), 3)
    emit(peer="scikit-learn", work="logistic GLM 1000000 x 20", seconds=t, iterations=int(model.n_iter_[0]), config=f"scikit-learn {sklearn.__version__} newton-cholesky")


def first_fit(folder, rows):
    """A script's first fit: the first ROWS rows of GlmFitBench's logistic data (the rows `first-fit ROWS` generates),
    fitted once in this fresh process (modules imported beforehand), then a second time."""
    try:
        import numpy as np
        from sklearn.linear_model import LogisticRegression
        import sklearn
    except ImportError:
        return emit(peer="scikit-learn", missing="python3-sklearn is not installed")
    n, k = 1_000_000, 20
    x = np.ascontiguousarray(np.fromfile(os.path.join(folder, "logistic_x.bin"), dtype="<f8").reshape(n, k)[:rows])
    y = np.ascontiguousarray(np.fromfile(os.path.join(folder, "logistic_y.bin"), dtype="<f8")[:rows])
    times = []
    for _ in range(2):
        model = LogisticRegression(penalty=None, solver="newton-cholesky", tol=1e-8, max_iter=100)
        t0 = time.perf_counter()
        model.fit(x, y)
        times.append(time.perf_counter() - t0)
    emit(peer="scikit-learn", work=f"first fit logistic GLM {rows} x 20", seconds=times[0], second=times[1],
         config=f"scikit-learn {sklearn.__version__} newton-cholesky, fresh process")


def glm_wide(folder):
    try:
        import numpy as np
        from sklearn.linear_model import LogisticRegression
        import sklearn
    except ImportError:
        return emit(peer="scikit-learn", missing="python3-sklearn is not installed")
    for n, k in ((1_000_000, 100), (200_000, 500)):
        shape = f"{n}x{k}"
        x = np.fromfile(os.path.join(folder, f"wide_{shape}_x.bin"), dtype="<f8").reshape(n, k)
        y = np.fromfile(os.path.join(folder, f"wide_{shape}_y.bin"), dtype="<f8")
        for threads in (1, 2):
            limiter, blas = blas_threads(threads)
            model = LogisticRegression(penalty=None, solver="newton-cholesky", tol=1e-8, max_iter=100)
            t = median_time(lambda: model.fit(x, y), 3)
            emit(peer="scikit-learn", work=f"logistic GLM {shape}", threads=threads, seconds=t, iterations=int(model.n_iter_[0]),
                 config=f"scikit-learn {sklearn.__version__} newton-cholesky, {blas}")
            if limiter is not None:
                limiter.unregister()


if __name__ == "__main__":
    what = sys.argv[1] if len(sys.argv) > 1 else ""
    if what == "gemm":
        gemm()
    elif what == "train":
        train()
    elif what == "train-fit":
        train_fit()
    elif what == "predict":
        predict()
    elif what == "glm-wide" and len(sys.argv) > 2:
        glm_wide(sys.argv[2])
    elif what == "glm" and len(sys.argv) > 2:
        glm(sys.argv[2])
    elif what == "first-fit" and len(sys.argv) > 3:
        first_fit(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(__doc__)
