using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using NNLinearity.Families;
using NNLinearity.Glm;
using NNLinearity.Interop;
using Parquet;
using Parquet.Schema;

namespace NNLinearity.Benchmarks;

/// <summary>
/// The streamed fit against the in-memory fit on the same arrays (GlmFitBench's logistic problem, one thread): what
/// copying rows into tiles and merging statistics costs when the data are in memory anyway.
/// </summary>
[Config(typeof(GlmFitConfig))]
public class StreamingGlmBench
{
    private double[] _x = [];
    private double[] _y = [];

    public static int Rows => BenchMode.Dry ? 50_000 : 1_000_000;

    [GlobalSetup]
    public void Setup() => (_x, _y) = GlmFitBench.Generate(GlmProblem.Logistic, Rows, GlmFitBench.Columns, 42);

    [Benchmark(Baseline = true)]
    public double InMemoryLean() => NNLinearity.Glm.Glm.Fit(_x, Rows, GlmFitBench.Columns, _y, GlmFamily.Binomial,
        options: new GlmOptions { MaxDegreeOfParallelism = 1, KeepRowResults = false }).Deviance;

    [Benchmark]
    public double Streamed() => NNLinearity.Glm.Glm.FitStreaming(GlmChunkSource.FromArrays(_x, GlmFitBench.Columns, _y, 65536), GlmFamily.Binomial,
        options: new GlmStreamingOptions { MaxDegreeOfParallelism = 1 }).Deviance;
}

/// <summary>
/// Streamed fits of files larger than memory: a seeded generator writes a logistic data set (20 predictors) as Parquet
/// part files, and as raw doubles for R's biglm and speedglm; the fit is timed against the time to read the files
/// once, with the process's peak memory.
/// </summary>
internal static class StreamingFiles
{
    public const int Columns = 20;
    public const int RowGroupRows = 1 << 20;

    public static readonly GlmColumnMap Map = new("y", Enumerable.Range(1, Columns).Select(j => "x" + j.ToString(CultureInfo.InvariantCulture)).ToArray());

    /// <summary>The model's coefficients: intercept -0.5, then 0.8 cos(j).</summary>
    public static double Beta(int j) => j == 0 ? -0.5 : 0.8 * Math.Cos(j);

    /// <summary>Writes rows in <paramref name="parts"/> Parquet files (and data.f64, row-major y, x1..x20, when <paramref name="raw"/>).</summary>
    public static async Task Generate(long rows, int parts, string folder, bool raw)
    {
        Directory.CreateDirectory(folder);
        var fields = new[] { new DataField<double>("y") }.Concat(Enumerable.Range(1, Columns).Select(j => new DataField<double>("x" + j.ToString(CultureInfo.InvariantCulture)))).ToArray();
        var schema = new ParquetSchema(fields);
        var clock = Stopwatch.StartNew();
        await using FileStream? rawFile = raw ? File.Create(Path.Combine(folder, "data.f64")) : null;
        long perPart = (rows + parts - 1) / parts;
        for (int part = 0; part < parts; part++)
        {
            long first = part * perPart, count = Math.Min(perPart, rows - first);
            string path = Path.Combine(folder, $"part-{part:D5}.parquet");
            await using FileStream stream = File.Create(path);
            await using ParquetWriter writer = await ParquetWriter.CreateAsync(schema, stream);
            for (long g0 = 0; g0 < count; g0 += RowGroupRows)
            {
                int n = (int)Math.Min(RowGroupRows, count - g0);
                double[][] cols = Block(first + g0, n);
                using ParquetRowGroupWriter group = writer.CreateRowGroup();
                for (int c = 0; c < fields.Length; c++) await group.WriteAsync<double>(fields[c], cols[c].AsMemory(0, n));
                if (rawFile is not null)
                {
                    byte[] bytes = new byte[n * fields.Length * sizeof(double)];
                    for (int i = 0; i < n; i++)
                    {
                        for (int c = 0; c < fields.Length; c++) BitConverter.TryWriteBytes(bytes.AsSpan((i * fields.Length + c) * sizeof(double)), cols[c][i]);
                    }

                    await rawFile.WriteAsync(bytes);
                }
            }
        }

        long size = Directory.GetFiles(folder, "*.parquet").Sum(f => new FileInfo(f).Length);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"generate-stream-data: {rows:N0} rows x {Columns} in {parts} Parquet files ({size / 1e9:F2} GB) in {clock.Elapsed.TotalSeconds:F1} s{(raw ? " and data.f64" : "")}"));
    }

    /// <summary>Rows [first, first + n) of the data set: each block of rows has its own seeded stream, so any range can be made alone.</summary>
    private static double[][] Block(long first, int n)
    {
        var cols = new double[Columns + 1][];
        for (int c = 0; c <= Columns; c++) cols[c] = new double[n];
        const int Block = 4096;
        for (int b0 = 0; b0 < n; b0 += Block)
        {
            var rng = new Random(unchecked((int)((first + b0) / Block * 2654435761L)));
            for (int i = b0; i < Math.Min(n, b0 + Block); i++)
            {
                double eta = Beta(0);
                for (int j = 1; j <= Columns; j++)
                {
                    double v = 2 * rng.NextDouble() - 1;
                    cols[j][i] = v;
                    eta += Beta(j) * v;
                }

                cols[0][i] = rng.NextDouble() < 1 / (1 + Math.Exp(-eta)) ? 1 : 0;
            }
        }

        return cols;
    }

    public static string[] Parts(string folder) => Directory.GetFiles(folder, "part-*.parquet").Order(StringComparer.Ordinal).ToArray();

    /// <summary>Reads every file once (every chunk, nothing computed), then fits, then reports both with the peak working set.</summary>
    public static void Fit(string folder, int threads)
    {
        string[] parts = Parts(folder);
        IGlmChunkSource[] sources = parts.Select(p => GlmChunkSources.FromParquet([p], Map)).ToArray();
        var clock = Stopwatch.StartNew();
        long rows = 0;
        double checksum = 0;
        foreach (IGlmChunkSource s in sources)
        {
            foreach (GlmChunk chunk in s.ReadChunks(CancellationToken.None))
            {
                rows += chunk.Rows;
                checksum += chunk.Response.Span[0];
            }
        }

        double read = clock.Elapsed.TotalSeconds;
        clock.Restart();
        var passes = new List<(int Pass, double Seconds)>();
        double last = 0;
        var progress = new SyncProgress(p =>
        {
            if (!p.Complete) return;
            double now = clock.Elapsed.TotalSeconds;
            passes.Add((p.Pass, now - last));
            last = now;
        });
        GlmFit fit = NNLinearity.Glm.Glm.FitStreaming(sources, GlmFamily.Binomial, options: new GlmStreamingOptions { MaxDegreeOfParallelism = threads, Progress = progress });
        double total = clock.Elapsed.TotalSeconds;
        using var self = Process.GetCurrentProcess();
        double maxError = Enumerable.Range(0, Columns + 1).Max(j => Math.Abs(fit.Coefficients[j] - Beta(j)) / fit.StandardErrors[j]);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"stream-fit {rows:N0} rows x {Columns} from {parts.Length} Parquet files, {threads} thread(s): read once {read:F2} s; fit {total:F2} s in {fit.DataPasses} passes " +
            $"({string.Join(" ", passes.Select(p => p.Seconds.ToString("F2", CultureInfo.InvariantCulture)))} s) = {total / (fit.DataPasses * read):F2} x passes x read; " +
            $"{fit.Iterations} iterations, deviance {fit.Deviance:R}, AIC {fit.Aic:R}, largest |estimate - truth| / SE {maxError:F2}; peak working set {self.PeakWorkingSet64 / 1e6:F0} MB (checksum {checksum})"));
        Console.WriteLine(string.Join(" ", fit.Coefficients.Select(c => c.ToString("R", CultureInfo.InvariantCulture))));
    }

    /// <summary>data.f64 (row-major y, x1..x20) in chunks of 2^20 rows: the same bytes R's readBin reads, for a like-for-like comparison with biglm and speedglm.</summary>
    public sealed class RawSource(string path) : IGlmChunkSource
    {
        public int Columns => StreamingFiles.Columns;

        public IReadOnlyList<string>? ColumnNames => Map.Predictors;

        public bool HasWeights => false;

        public bool HasOffset => false;

        // One set of buffers for every reading (a fit reads one pass at a time).
        private readonly byte[] bytes = new byte[RowGroupRows * (StreamingFiles.Columns + 1) * sizeof(double)];
        private readonly double[] x = new double[RowGroupRows * StreamingFiles.Columns], y = new double[RowGroupRows];

        public IEnumerable<GlmChunk> ReadChunks(CancellationToken cancellationToken)
        {
            int width = Columns + 1;
            using FileStream stream = new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
            while (true)
            {
                int got = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
                int rows = got / (width * sizeof(double));
                if (rows == 0) yield break;
                ReadOnlySpan<double> v = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(bytes.AsSpan(0, rows * width * sizeof(double)));
                for (int i = 0; i < rows; i++)
                {
                    y[i] = v[i * width];
                    v.Slice(i * width + 1, Columns).CopyTo(x.AsSpan(i * Columns));
                }

                yield return new GlmChunk(x.AsMemory(0, rows * Columns), Columns, y.AsMemory(0, rows));
            }
        }
    }

    /// <summary>As <see cref="Fit"/> on data.f64.</summary>
    public static void FitRaw(string folder, int threads)
    {
        var source = new RawSource(Path.Combine(folder, "data.f64"));
        var clock = Stopwatch.StartNew();
        long rows = 0;
        foreach (GlmChunk chunk in source.ReadChunks(CancellationToken.None)) rows += chunk.Rows;
        double read = clock.Elapsed.TotalSeconds;
        clock.Restart();
        GlmFit fit = NNLinearity.Glm.Glm.FitStreaming(source, GlmFamily.Binomial, options: new GlmStreamingOptions { MaxDegreeOfParallelism = threads });
        double total = clock.Elapsed.TotalSeconds;
        using var self = Process.GetCurrentProcess();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"stream-fit-raw {rows:N0} rows x {Columns} from data.f64, {threads} thread(s): read once {read:F2} s; fit {total:F2} s in {fit.DataPasses} passes = {total / (fit.DataPasses * read):F2} x passes x read; {fit.Iterations} iterations, deviance {fit.Deviance:R}; peak working set {self.PeakWorkingSet64 / 1e6:F0} MB"));
        Console.WriteLine(string.Join(" ", fit.Coefficients.Select(c => c.ToString("R", CultureInfo.InvariantCulture))));
    }

    private sealed class SyncProgress(Action<GlmStreamingProgress> report) : IProgress<GlmStreamingProgress>
    {
        public void Report(GlmStreamingProgress value) => report(value);
    }
}
