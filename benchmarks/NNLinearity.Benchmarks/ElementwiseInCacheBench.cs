using System;
using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using NNLinearity.Kernels;

namespace NNLinearity.Benchmarks;

/// <summary>
/// exp, log, tanh and logistic over 16,384 floats (64 KB in, 64 KB out: in the core's L2), one thread, ours against
/// TensorPrimitives: the kernels' arithmetic, where <see cref="ElementwiseBench"/>'s 10^7 floats (80 MB a call) time
/// the memory as much. Each invocation is 64 calls; the mean is per call, and Gelem/s = 16,384 / mean. Not in the quick
/// default run: TensorPrimitives' span methods are compiled with profile data (tiered PGO), and in one process after
/// <see cref="ElementwiseBench"/> they keep the profile of 10^7-element calls, which made them 25% slower here on
/// in-cache spans; run this class alone (<c>-- --filter '*ElementwiseInCacheBench*'</c>) or in the full suite, where
/// every class has its own process.
/// </summary>
[Config(typeof(ShortConfig))]
public class ElementwiseInCacheBench
{
    public const int N = 16_384, Calls = 64;
    private float[] _x = [], _y = [], _positive = [];

    [GlobalSetup]
    public void Setup() => (_x, _y, _positive) = ElementwiseBench.Data(N);

    // As in ElementwiseBench: TensorPrimitives' methods start at tier 0, ours optimised; each TensorPrimitives case is
    // called until the runtime has compiled it optimised before it is timed.
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
        ElementwiseBench.Warm(function);
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public void ExpOurs()
    {
        for (int c = 0; c < Calls; c++) VectorMath.Apply<VectorMath.ExpOp>(_x, _y);
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public void ExpTensorPrimitives()
    {
        for (int c = 0; c < Calls; c++) TensorPrimitives.Exp(_x, _y);
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public void LogOurs()
    {
        for (int c = 0; c < Calls; c++) VectorMath.Apply<VectorMath.LogOp>(_positive, _y);
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public void LogTensorPrimitives()
    {
        for (int c = 0; c < Calls; c++) TensorPrimitives.Log(_positive, _y);
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public void TanhOurs()
    {
        for (int c = 0; c < Calls; c++) ActivationKernels.Apply<ActivationKernels.TanhOp>(_x, _y, default);
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public void TanhTensorPrimitives()
    {
        for (int c = 0; c < Calls; c++) TensorPrimitives.Tanh(_x, _y);
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public void LogisticOurs()
    {
        for (int c = 0; c < Calls; c++) ActivationKernels.Apply<ActivationKernels.LogisticOp>(_x, _y, default);
    }

    [Benchmark(OperationsPerInvoke = Calls)]
    public void LogisticTensorPrimitives()
    {
        for (int c = 0; c < Calls; c++) TensorPrimitives.Sigmoid(_x, _y);
    }
}
