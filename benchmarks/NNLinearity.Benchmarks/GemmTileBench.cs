using System;
using System.Collections.Generic;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.Arm;
using System.Runtime.Intrinsics.X86;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using NNLinearity.Kernels;

namespace NNLinearity.Benchmarks;

/// <summary>
/// One job per GEMM tile and vector width this machine can run, each in its own process with the runtime's vector
/// width and <see cref="Gemm.TileVariable"/> set: the 4-vector tile (24 accumulators) against the 2-vector tile (12) at
/// the same width, and both against the 512-bit tile. Job ids read width x vectors (v256x4: 256-bit vectors, 4-vector
/// tile).
/// </summary>
public sealed class TileConfig : ManualConfig
{
    public TileConfig()
    {
        Job run = Environment.GetEnvironmentVariable("NNLINEARITY_BENCH_DRY") == "1"
            ? Job.Dry
            : Job.Default.WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(5);
        foreach ((string id, string tile, string? maxVectorT) in Jobs())
        {
            var variables = new List<EnvironmentVariable> { new(Gemm.TileVariable, tile) };
            if (id != "v512") variables.Add(new EnvironmentVariable("DOTNET_PreferredVectorBitWidth", "256"));
            if (maxVectorT != null) variables.Add(new EnvironmentVariable("DOTNET_MaxVectorTBitWidth", maxVectorT));
            AddJob(run.WithEnvironmentVariables(variables.ToArray()).WithId(id));
        }
    }

    /// <summary>The jobs: the 4-vector tile only where there are 32 vector registers, the 512-bit one where it runs.</summary>
    private static IEnumerable<(string Id, string Tile, string? MaxVectorT)> Jobs()
    {
        if (Gemm.ChooseTile("vector512") == GemmTile.Vector512) yield return ("v512", "vector512", null);
        bool registers32 = Avx512F.IsSupported || AdvSimd.Arm64.IsSupported;
        if (Vector256.IsHardwareAccelerated)
        {
            if (registers32) yield return ("v256x4", "vector4", null);
            yield return ("v256x2", "vector2", null);
        }

        if (registers32) yield return ("v128x4", "vector4", "128");
        yield return ("v128x2", "vector2", "128");
    }
}

/// <summary>
/// The forward product Z = X W^T + b on one thread under each job of <see cref="TileConfig"/>; the headline table
/// gives GFLOP/s per job and the 4-vector tile's speed-up over the 2-vector tile at each width, from the same run.
/// </summary>
[Config(typeof(TileConfig))]
public class GemmTileBench
{
    private double[] _xd = [], _bd = [], _zd = [], _packedD = [];
    private float[] _xf = [], _bf = [], _zf = [], _packedF = [];
    private int _m, _k, _n;

    /// <summary>batch x in x out.</summary>
    [Params("256x784x256", "1024x1024x1024")]
    public string Shape { get; set; } = "256x784x256";

    [Params(Element.F64, Element.F32)]
    public Element Type { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        // A job whose variables the runtime ignored would measure another tile under this job's name: refuse to.
        string? requested = Environment.GetEnvironmentVariable(Gemm.TileVariable);
        if (requested != null && !string.Equals(Gemm.Tile.ToString(), requested, StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"{Gemm.TileVariable}={requested}, but this process runs the {Gemm.Tile} tile.");
        }

        string[] parts = Shape.Split('x');
        (_m, _k, _n) = (int.Parse(parts[0]), int.Parse(parts[1]), int.Parse(parts[2]));
        var rng = new Random(1);
        _xd = GemmBench.Fill(_m * _k, rng);
        double[] w = GemmBench.Fill(_n * _k, rng);
        _bd = GemmBench.Fill(_n, rng);
        _zd = new double[_m * _n];
        _packedD = new double[Gemm.PackedLength<double>(_n, _k)];
        Gemm.PackTransposed<double>(w, _n, _k, _packedD);
        _xf = Array.ConvertAll(_xd, v => (float)v);
        _bf = Array.ConvertAll(_bd, v => (float)v);
        _zf = new float[_m * _n];
        _packedF = new float[Gemm.PackedLength<float>(_n, _k)];
        Gemm.PackTransposed<float>(Array.ConvertAll(w, v => (float)v), _n, _k, _packedF);
    }

    [Benchmark]
    public void Forward()
    {
        if (Type == Element.F64) Gemm.Forward<double>(_xd, _m, _k, _packedD, _bd, _n, _zd, 1);
        else Gemm.Forward<float>(_xf, _m, _k, _packedF, _bf, _n, _zf, 1);
    }
}
