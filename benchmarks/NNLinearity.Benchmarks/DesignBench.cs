using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using NNLinearity.Data;
using NNLinearity.Formulas;
using NNLinearity.Interop;

namespace NNLinearity.Benchmarks;

public sealed class DesignConfig : ManualConfig
{
    public DesignConfig()
    {
        if (Environment.GetEnvironmentVariable("NNLINEARITY_BENCH_DRY") == "1")
        {
            AddJob(Job.Dry);
            return;
        }

        // Each call builds up to 2 GB: a few monitored iterations, not thousands.
        AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(5));
    }
}

/// <summary>The model matrix's shape: rows, and whether the two 50-level factors' interaction is in it.</summary>
public enum DesignCase
{
    /// <summary>1,000,000 rows, f1 + f2 + x1..x10: 1 + 49 + 49 + 10 = 109 columns (0.87 GB).</summary>
    MainEffects1M,

    /// <summary>100,000 rows, f1 * f2 + x1..x10: 1 + 49 + 49 + 2401 + 10 = 2510 columns (2.0 GB).</summary>
    Interaction100k,
}

/// <summary>
/// Model matrices from a table with two 50-level factors and 10 numeric columns: from a CSV file (read with Sep,
/// then coded), from an Arrow record batch (dictionary-encoded factors), and from a table already in memory (the
/// coding alone). The full 1,000,000-row matrix with the interaction would be 1e6 x 2510 doubles, 20 GB: more than
/// this machine's 24 GB can hold beside its input, so the interaction is measured at 100,000 rows.
/// r/model_matrix_timing.R times R's model.matrix on the same CSV files.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(DesignConfig))]
public class DesignBench
{
    private string _csv = "";
    private RecordBatch? _batch;
    private DataTable? _table;
    private Formula? _formula;

    [Params(DesignCase.MainEffects1M, DesignCase.Interaction100k)]
    public DesignCase Case { get; set; }

    public int Rows => Environment.GetEnvironmentVariable("NNLINEARITY_BENCH_DRY") == "1" ? 1000 : Case == DesignCase.MainEffects1M ? 1_000_000 : 100_000;

    public static string FormulaOf(DesignCase c) =>
        (c == DesignCase.MainEffects1M ? "y ~ f1 + f2 + " : "y ~ f1 * f2 + ") + string.Join(" + ", Enumerable.Range(1, 10).Select(j => "x" + j));

    public static string CsvPath(int rows) => Path.Combine(Path.GetTempPath(), $"nnlinearity-design-{rows}.csv");

    [GlobalSetup]
    public void Setup()
    {
        int n = Rows;
        _formula = Formula.Parse(FormulaOf(Case));
        (double[] y, int[] f1, int[] f2, double[][] x) = Generate(n, 42);
        string[] levels = Enumerable.Range(0, 50).Select(l => "L" + l.ToString("00", CultureInfo.InvariantCulture)).ToArray();
        _csv = CsvPath(n);
        if (!File.Exists(_csv)) WriteCsv(_csv, y, f1, f2, x, levels);

        var dictType = new DictionaryType(Int32Type.Default, StringType.Default, false);
        StringArray dictionary = new StringArray.Builder().AppendRange(levels).Build();
        IArrowArray Factor(int[] codes) => new DictionaryArray(dictType, new Int32Array.Builder().AppendRange(codes).Build(), dictionary);
        var schema = new Schema.Builder().Field(f => f.Name("y").DataType(DoubleType.Default))
            .Field(f => f.Name("f1").DataType(dictType)).Field(f => f.Name("f2").DataType(dictType));
        for (int j = 0; j < 10; j++) schema.Field(f => f.Name("x" + (j + 1)).DataType(DoubleType.Default));
        IArrowArray[] arrays = new IArrowArray[] { new DoubleArray.Builder().AppendRange(y).Build(), Factor(f1), Factor(f2) }
            .Concat(x.Select(c => (IArrowArray)new DoubleArray.Builder().AppendRange(c).Build())).ToArray();
        _batch = new RecordBatch(schema.Build(), arrays, n);
        _table = ArrowTables.FromRecordBatch(_batch);
        ModelDesign d = ModelDesign.Build(_formula, _table);
        Console.WriteLine($"// design: {d.RowCount} x {d.ColumnNames.Count} ({(double)d.RowCount * d.ColumnNames.Count * 8 / 1e9:F2} GB); CSV {new FileInfo(_csv).Length / 1e6:F0} MB at {_csv}");
    }

    /// <summary>Seeded data: factor codes uniform over 50 levels, numbers standard normal, y a count.</summary>
    public static (double[] Y, int[] F1, int[] F2, double[][] X) Generate(int n, int seed)
    {
        var rng = new Random(seed);
        var f1 = new int[n];
        var f2 = new int[n];
        var y = new double[n];
        double[][] x = Enumerable.Range(0, 10).Select(_ => new double[n]).ToArray();
        for (int i = 0; i < n; i++)
        {
            f1[i] = rng.Next(50);
            f2[i] = rng.Next(50);
            for (int j = 0; j < 10; j++) x[j][i] = Math.Round(2 * rng.NextDouble() - 1, 6);
            y[i] = rng.Next(5);
        }

        return (y, f1, f2, x);
    }

    private static void WriteCsv(string path, double[] y, int[] f1, int[] f2, double[][] x, string[] levels)
    {
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        w.WriteLine("y,f1,f2," + string.Join(",", Enumerable.Range(1, 10).Select(j => "x" + j)));
        var sb = new StringBuilder();
        for (int i = 0; i < y.Length; i++)
        {
            sb.Clear();
            sb.Append(y[i].ToString(CultureInfo.InvariantCulture)).Append(',').Append(levels[f1[i]]).Append(',').Append(levels[f2[i]]);
            foreach (double[] c in x) sb.Append(',').Append(c[i].ToString("R", CultureInfo.InvariantCulture));
            w.WriteLine(sb);
        }
    }

    [Benchmark(Description = "CSV -> table -> model matrix")]
    public int FromCsv() => ModelDesign.Build(_formula!, CsvTables.Read(_csv)).RowCount;

    [Benchmark(Description = "Arrow -> table -> model matrix")]
    public int FromArrow() => ModelDesign.Build(_formula!, ArrowTables.FromRecordBatch(_batch!)).RowCount;

    [Benchmark(Baseline = true, Description = "table -> model matrix")]
    public int FromTable() => ModelDesign.Build(_formula!, _table!).RowCount;
}
