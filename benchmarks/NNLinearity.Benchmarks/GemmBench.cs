using System;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;
using MathNet.Numerics.LinearAlgebra;
using NNLinearity.Kernels;

namespace NNLinearity.Benchmarks;

/// <summary>Few iterations: the naive baseline at 1024^3 takes seconds per call. CI's dry run: one call each.</summary>
public sealed class ShortConfig : ManualConfig
{
    public ShortConfig()
    {
        AddJob(BenchMode.Dry ? Job.Dry
            : BenchMode.Quick ? BenchMode.QuickJob
            : Job.Default.WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(5));
    }
}

/// <summary>BenchmarkDotNet's default job, or the quick one in the default (quick) run.</summary>
public sealed class QuickConfig : ManualConfig
{
    public QuickConfig()
    {
        AddJob(BenchMode.Dry ? Job.Dry : BenchMode.Quick ? BenchMode.QuickJob : Job.Default);
    }
}

/// <summary>
/// How the benchmarks run: NNLINEARITY_BENCH_DRY=1 (CI: every case once), NNLINEARITY_BENCH_QUICK=1 (the default run:
/// one case per headline row, three iterations), or in full.
/// </summary>
public static class BenchMode
{
    public static bool Dry => Environment.GetEnvironmentVariable("NNLINEARITY_BENCH_DRY") == "1";

    public static bool Quick => Environment.GetEnvironmentVariable("NNLINEARITY_BENCH_QUICK") == "1";

    /// <summary>
    /// The default run's job: in this process (no generated project to build, no process per case), one warm-up and
    /// three measured iterations of about 150 ms each. The full suite keeps BenchmarkDotNet's separate processes.
    /// </summary>
    public static Job QuickJob => Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3)
        .WithIterationTime(TimeInterval.FromMilliseconds(150)).WithId("Quick");
}

public enum Element
{
    F64,
    F32,
}

/// <summary>
/// The layer forward product Z = X W^T + b (batch x in times in x out) at the shapes, ours against a naive
/// triple loop and MathNet.Numerics' X.TransposeAndMultiply(W) (its managed provider), one thread and all threads.
/// GFLOP/s = 2 batch in out / time; the headline table divides by the FMA peak measured in the same run.
/// </summary>
[Config(typeof(ShortConfig))]
[MemoryDiagnoser]
public class GemmBench
{
    private double[] _xd = [], _wd = [], _bd = [], _zd = [], _packedD = [];
    private float[] _xf = [], _wf = [], _bf = [], _zf = [], _packedF = [];
    private Matrix<double>? _mxd, _mwd;
    private Matrix<float>? _mxf, _mwf;

    /// <summary>batch x in x out.</summary>
    [ParamsSource(nameof(Shapes))]
    public string Shape { get; set; } = "256x784x256";

    public static string[] Shapes => BenchMode.Quick ? ["1024x1024x1024"] : ["32x64x64", "256x784x256", "256x1024x1024", "1024x1024x1024"];

    [Params(Element.F64, Element.F32)]
    public Element Type { get; set; }

    /// <summary>1 or 0 (all cores).</summary>
    [Params(1, 0)]
    public int Threads { get; set; }

    /// <summary>The shape, parsed once in the setup (parsing per call would allocate inside the measurement).</summary>
    public (int M, int K, int N) Dims { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        string[] parts = Shape.Split('x');
        Dims = (int.Parse(parts[0]), int.Parse(parts[1]), int.Parse(parts[2]));
        (int m, int k, int n) = Dims;
        var rng = new Random(1);
        _xd = Fill(m * k, rng);
        _wd = Fill(n * k, rng);
        _bd = Fill(n, rng);
        _zd = new double[m * n];
        _packedD = new double[Gemm.PackedLength<double>(n, k)];
        Gemm.PackTransposed<double>(_wd, n, k, _packedD);
        _xf = Array.ConvertAll(_xd, v => (float)v);
        _wf = Array.ConvertAll(_wd, v => (float)v);
        _bf = Array.ConvertAll(_bd, v => (float)v);
        _zf = new float[m * n];
        _packedF = new float[Gemm.PackedLength<float>(n, k)];
        Gemm.PackTransposed<float>(_wf, n, k, _packedF);
        _mxd = Matrix<double>.Build.Dense(m, k, (i, j) => _xd[i * k + j]);
        _mwd = Matrix<double>.Build.Dense(n, k, (i, j) => _wd[i * k + j]);
        _mxf = Matrix<float>.Build.Dense(m, k, (i, j) => _xf[i * k + j]);
        _mwf = Matrix<float>.Build.Dense(n, k, (i, j) => _wf[i * k + j]);
        global::MathNet.Numerics.Control.MaxDegreeOfParallelism = Threads == 1 ? 1 : Environment.ProcessorCount;
    }

    /// <summary>Uniform values in [-0.5, 0.5).</summary>
    internal static double[] Fill(int count, Random rng)
    {
        var a = new double[count];
        for (int i = 0; i < count; i++) a[i] = rng.NextDouble() - 0.5;
        return a;
    }

    [Benchmark]
    public void Ours()
    {
        (int m, int k, int n) = Dims;
        if (Type == Element.F64) Gemm.Forward<double>(_xd, m, k, _packedD, _bd, n, _zd, Threads);
        else Gemm.Forward<float>(_xf, m, k, _packedF, _bf, n, _zf, Threads);
    }

    /// <summary>A fresh W each call, as a BLAS call sees it: the packing runs inside the product, spread over the threads.</summary>
    [Benchmark]
    public void OursPackingInside()
    {
        (int m, int k, int n) = Dims;
        if (Type == Element.F64) Gemm.ForwardPacking<double>(_xd, m, k, _wd, _bd, n, _zd, _packedD, Threads);
        else Gemm.ForwardPacking<float>(_xf, m, k, _wf, _bf, n, _zf, _packedF, Threads);
    }

    /// <summary>The same with the packing done first, on the calling thread (as before ForwardPacking).</summary>
    [Benchmark]
    public void OursPackThenMultiply()
    {
        (int m, int k, int n) = Dims;
        if (Type == Element.F64)
        {
            Gemm.PackTransposed<double>(_wd, n, k, _packedD);
            Gemm.Forward<double>(_xd, m, k, _packedD, _bd, n, _zd, Threads);
        }
        else
        {
            Gemm.PackTransposed<float>(_wf, n, k, _packedF);
            Gemm.Forward<float>(_xf, m, k, _packedF, _bf, n, _zf, Threads);
        }
    }

    [Benchmark(Baseline = true)]
    public void Naive()
    {
        (int m, int k, int n) = Dims;
        if (Type == Element.F64)
        {
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    double s = _bd[j];
                    for (int p = 0; p < k; p++) s += _xd[i * k + p] * _wd[j * k + p];
                    _zd[i * n + j] = s;
                }
            }
        }
        else
        {
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    float s = _bf[j];
                    for (int p = 0; p < k; p++) s += _xf[i * k + p] * _wf[j * k + p];
                    _zf[i * n + j] = s;
                }
            }
        }
    }

    [Benchmark]
    public object MathNetBlas() => Type == Element.F64 ? _mxd!.TransposeAndMultiply(_mwd!) : _mxf!.TransposeAndMultiply(_mwf!);
}
