using System;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using NNLinearity.Kernels;

namespace NNLinearity.Benchmarks;

/// <summary>
/// exp, log, tanh, logistic, softplus and the normal CDF over 10^7 floats (one thread): ours (exp, log, tanh, logistic
/// and softplus float-native; the normal CDF with a float exponential and its tail ratio in double on widened lanes),
/// TensorPrimitives where it has the function, and a scalar loop. Gelem/s = 10^7 / time.
/// </summary>
[Config(typeof(ShortConfig))]
[MemoryDiagnoser]
public class ElementwiseBench
{
    public const int N = 10_000_000;
    private float[] _x = [], _y = [], _positive = [];

    [GlobalSetup]
    public void Setup() => (_x, _y, _positive) = Data(N);

    /// <summary>n values in (-10, 10), an output buffer, and n positive values over e^-20 .. e^20 (for log), from seed 3.</summary>
    internal static (float[] X, float[] Y, float[] Positive) Data(int n)
    {
        var rng = new Random(3);
        var x = new float[n];
        var positive = new float[n];
        for (int i = 0; i < n; i++) x[i] = (float)((rng.NextDouble() - 0.5) * 20);
        for (int i = 0; i < n; i++) positive[i] = (float)Math.Exp((rng.NextDouble() - 0.5) * 40);
        return (x, new float[n], positive);
    }

    // TensorPrimitives' methods start at tier 0 and reach optimised code only after 30 calls and a background compile,
    // while ours are compiled optimised from the first call: a short run (one warm-up iteration of a single 10^7-element
    // call) would time TensorPrimitives' unoptimised code. Each TensorPrimitives case therefore calls its function 40
    // times and waits for the compiler first.
    [GlobalSetup(Target = nameof(ExpTensorPrimitives))]
    public void SetupExpTensorPrimitives() => SetupWarm(ExpTensorPrimitives);

    [GlobalSetup(Target = nameof(LogTensorPrimitives))]
    public void SetupLogTensorPrimitives() => SetupWarm(LogTensorPrimitives);

    [GlobalSetup(Target = nameof(TanhTensorPrimitives))]
    public void SetupTanhTensorPrimitives() => SetupWarm(TanhTensorPrimitives);

    [GlobalSetup(Target = nameof(LogisticTensorPrimitives))]
    public void SetupLogisticTensorPrimitives() => SetupWarm(LogisticTensorPrimitives);

    private void SetupWarm(Action function)
    {
        Setup();
        Warm(function);
    }

    /// <summary>Calls a TensorPrimitives case until the runtime has compiled it optimised (40 calls, then a pause for the compiler).</summary>
    internal static void Warm(Action function)
    {
        for (int i = 0; i < 40; i++) function();
        System.Threading.Thread.Sleep(300);
        function();
    }

    [Benchmark]
    public void ExpOurs() => VectorMath.Apply<VectorMath.ExpOp>(_x, _y);

    [Benchmark]
    public void ExpTensorPrimitives() => TensorPrimitives.Exp(_x, _y);

    [Benchmark]
    public void ExpScalar()
    {
        for (int i = 0; i < N; i++) _y[i] = MathF.Exp(_x[i]);
    }

    [Benchmark]
    public void LogOurs() => VectorMath.Apply<VectorMath.LogOp>(_positive, _y);

    [Benchmark]
    public void LogTensorPrimitives() => TensorPrimitives.Log(_positive, _y);

    [Benchmark]
    public void LogScalar()
    {
        for (int i = 0; i < N; i++) _y[i] = MathF.Log(_positive[i]);
    }

    [Benchmark]
    public void SoftplusOurs() => VectorMath.Apply<VectorMath.SoftplusOp>(_x, _y);

    [Benchmark]
    public void SoftplusScalar()
    {
        for (int i = 0; i < N; i++) _y[i] = (float)(Math.Max(_x[i], 0.0) + Math.Log(1.0 + Math.Exp(-Math.Abs(_x[i]))));
    }

    [Benchmark]
    public void NormalCdfOurs() => VectorMath.Apply<VectorMath.NormalCdfOp>(_x, _y);

    [Benchmark]
    public void NormalCdfScalar()
    {
        for (int i = 0; i < N; i++) _y[i] = (float)(0.5 * MathNet.Numerics.SpecialFunctions.Erfc(-_x[i] * 0.7071067811865476));
    }

    [Benchmark]
    public void TanhOurs() => ActivationKernels.Apply<ActivationKernels.TanhOp>(_x, _y, default);

    [Benchmark]
    public void TanhTensorPrimitives() => TensorPrimitives.Tanh(_x, _y);

    [Benchmark]
    public void TanhScalar()
    {
        for (int i = 0; i < N; i++) _y[i] = MathF.Tanh(_x[i]);
    }

    [Benchmark]
    public void LogisticOurs() => ActivationKernels.Apply<ActivationKernels.LogisticOp>(_x, _y, default);

    [Benchmark]
    public void LogisticTensorPrimitives() => TensorPrimitives.Sigmoid(_x, _y);

    [Benchmark]
    public void LogisticScalar()
    {
        for (int i = 0; i < N; i++) _y[i] = 1f / (1f + MathF.Exp(-_x[i]));
    }
}
