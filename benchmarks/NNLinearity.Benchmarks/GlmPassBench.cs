using System;
using BenchmarkDotNet.Attributes;
using NNLinearity.Families;
using NNLinearity.Links;
using NNLinearity.Numerics;

namespace NNLinearity.Benchmarks;

/// <summary>The parts of one IRLS pass over 1,000,000 x 20 (+ intercept), each over all rows block by block.</summary>
[MemoryDiagnoser]
public unsafe class GlmPassBench
{
    private const int N = 1_000_000, K = 20, B = WeightedGram.BlockRows;
    private double[] _x = [], _y = [], _w = [], _eta = [], _mu = [], _d = [], _v = [], _u = [], _gram = [], _beta = [], _betaFit = [];
    private readonly int _pp = WeightedGram.PaddedColumns(K + 2);

    [GlobalSetup]
    public void Setup()
    {
        (_x, _y) = GlmFitBench.Generate(GlmProblem.Logistic, N, K, 42);
        _w = new double[N];
        _w.AsSpan().Fill(1);
        _eta = new double[N];
        var r = new Random(1);
        for (int i = 0; i < N; i++) _eta[i] = r.NextDouble() * 4 - 2;
        _mu = new double[N];
        _d = new double[N];
        _v = new double[N];
        _u = new double[_pp * B];
        _gram = new double[_pp * _pp];
        _beta = new double[_pp];
        _betaFit = new double[K + 1];
        for (int j = 0; j <= K; j++) _betaFit[j] = _beta[j] = 0.05 * Math.Sin(j + 1);
    }

    /// <summary>The IRLS loader: rows read into L1 blocks (intercept after the predictors) with eta computed in the same registers.</summary>
    [Benchmark]
    public double LoadRowsAndPredict()
    {
        fixed (double* p = _x)
        {
            var src = new DesignSource(p, N, K, K, 1, true);
            for (int r0 = 0; r0 < N; r0 += B) src.LoadRowsPredict(r0, Math.Min(B, N - r0), _u, _pp, _beta, default, _eta.AsSpan(r0, Math.Min(B, N - r0)));
        }

        return _eta[0];
    }

    /// <summary>One whole IRLS pass of the logistic fit, single-threaded: load and predict, the per-row steps and the Gram.</summary>
    [Benchmark]
    public double WholePass()
    {
        fixed (double* p = _x)
        {
            var src = new DesignSource(p, N, K, K, 1, true);
            using var engine = new NNLinearity.Glm.IrlsEngine(src, _y, _w, [], GlmFamily.Binomial, new LogitLink(), 1);
            return engine.PassAt(_betaFit);
        }
    }

    [Benchmark]
    public double LogitInverseAndDerivative()
    {
        new LogitLink().Inverse(_eta, _mu, _d);
        return _mu[0] + _d[0];
    }

    [Benchmark]
    public double BinomialVarianceAndDeviance()
    {
        link().Inverse(_eta, _mu);
        bool valid = true;
        double dev = 0;
        for (int r0 = 0; r0 < N; r0 += B)
        {
            int rows = Math.Min(B, N - r0);
            dev += GlmFamily.Binomial.VarianceAndDeviance(_y.AsSpan(r0, rows), _mu.AsSpan(r0, rows), _w.AsSpan(r0, rows), _v.AsSpan(r0, rows), ref valid);
        }

        return dev;

        static LogitLink link() => new();
    }

    /// <summary>The Gram kernel the engine uses on this machine (512-bit where AVX-512 is accelerated).</summary>
    [Benchmark]
    public double Gram()
    {
        Array.Clear(_gram);
        for (int r0 = 0; r0 < N; r0 += B) WeightedGram.Accumulate(_u, B, _pp, _w, _gram);
        return _gram[0];
    }

    /// <summary>The Vector&lt;T&gt; (256-bit here) Gram kernel, for the ratio with the 512-bit one.</summary>
    [Benchmark]
    public double GramVector256()
    {
        Array.Clear(_gram);
        for (int r0 = 0; r0 < N; r0 += B) WeightedGram.AccumulateVector(_u, B, _pp, _w, _gram);
        return _gram[0];
    }
}
