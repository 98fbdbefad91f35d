using System;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using NNLinearity.Kernels;

namespace NNLinearity.Benchmarks;

/// <summary>
/// tanh and logistic over 10^7 floats (one thread): ours (computed in double, within 1 float ulp), TensorPrimitives,
/// and a scalar MathF loop. Gelem/s = 10^7 / time.
/// </summary>
[Config(typeof(ShortConfig))]
[MemoryDiagnoser]
public class ElementwiseBench
{
    public const int N = 10_000_000;
    private float[] _x = [], _y = [];

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(3);
        _x = new float[N];
        _y = new float[N];
        for (int i = 0; i < N; i++) _x[i] = (float)((rng.NextDouble() - 0.5) * 20);
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
