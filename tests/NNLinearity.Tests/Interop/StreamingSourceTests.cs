using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Ipc;
using Apache.Arrow.Types;
using NNLinearity.Families;
using NNLinearity.Glm;
using NNLinearity.Interop;
using NNLinearity.Links;
using NNLinearity.Tests.Generators;
using Parquet;
using Parquet.Schema;
using Xunit;

namespace NNLinearity.Tests.Interop;

/// <summary>Parquet, Arrow IPC and CSV files as chunk sources: the streamed fit of a file is the fit of the same numbers held in memory, to the bit.</summary>
public sealed class StreamingSourceTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "nnl-stream-" + Guid.NewGuid().ToString("N"));

    public StreamingSourceTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // Poisson counts with exposure: y, x1 (double), x2 (int), w (float), log exposure as the offset.
    private static (double[] X, double[] Y, double[] W, double[] Off, int[] X2, float[] Wf) Data(int n)
    {
        var c = new GlmCase(GlmFamily.Poisson, new LogLink(), n, 2, 5).Simulate();
        int[] x2 = Enumerable.Range(0, n).Select(i => (i * 7) % 5 - 2).ToArray();
        float[] wf = Enumerable.Range(0, n).Select(i => 0.5f + (i % 4) * 0.25f).ToArray();
        double[] x = new double[n * 2], off = new double[n];
        for (int i = 0; i < n; i++)
        {
            x[2 * i] = c.X[2 * i];
            x[2 * i + 1] = x2[i];
            off[i] = Math.Log(1 + (i % 3));
        }

        return (x, c.Y, wf.Select(v => (double)v).ToArray(), off, x2, wf);
    }

    private static readonly GlmColumnMap Map = new("y", ["x1", "x2"], Weights: "w", Offset: "logt");

    private static GlmFit Reference(int n)
    {
        var d = Data(n);
        return NNLinearity.Glm.Glm.FitStreaming(GlmChunkSource.FromArrays(d.X, 2, d.Y, 1000, d.W, d.Off, ["x1", "x2"]), GlmFamily.Poisson);
    }

    private static void AssertSameBits(GlmFit expected, GlmFit actual)
    {
        Assert.Equal(expected.CoefficientNames, actual.CoefficientNames);
        Assert.Equal(expected.Coefficients.Select(BitConverter.DoubleToInt64Bits), actual.Coefficients.Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(expected.StandardErrors.Select(BitConverter.DoubleToInt64Bits), actual.StandardErrors.Select(BitConverter.DoubleToInt64Bits));
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Deviance), BitConverter.DoubleToInt64Bits(actual.Deviance));
        Assert.Equal(BitConverter.DoubleToInt64Bits(expected.NullDeviance), BitConverter.DoubleToInt64Bits(actual.NullDeviance));
        Assert.Equal(expected.Aic, actual.Aic);
        Assert.Equal(expected.RowCount, actual.RowCount);
    }

    [Fact]
    public async System.Threading.Tasks.Task Parquet_RowGroupsOfAnySize_GiveTheInMemoryFit()
    {
        const int n = 10_000;
        var d = Data(n);
        string path = Path.Combine(_dir, "data.parquet");
        var fy = new DataField<double>("y");
        var f1 = new DataField<double>("x1");
        var f2 = new DataField<int>("x2");
        var fw = new DataField<float>("w");
        var fo = new DataField<double?>("logt");
        await using (FileStream stream = File.Create(path))
        {
            await using ParquetWriter writer = await ParquetWriter.CreateAsync(new ParquetSchema(fy, f1, f2, fw, fo), stream);
            foreach ((int r0, int rows) in new[] { (0, 3000), (3000, 1), (3001, 6999) })
            {
                using ParquetRowGroupWriter group = writer.CreateRowGroup();
                await group.WriteAsync<double>(fy, d.Y.AsMemory(r0, rows));
                await group.WriteAsync<double>(f1, Enumerable.Range(r0, rows).Select(i => d.X[2 * i]).ToArray().AsMemory());
                await group.WriteAsync<int>(f2, d.X2.AsMemory(r0, rows));
                await group.WriteAsync<float>(fw, d.Wf.AsMemory(r0, rows));
                await group.WriteAsync<double>(fo, d.Off.Skip(r0).Take(rows).Select(v => (double?)v).ToArray().AsMemory());
            }
        }

        GlmFit fit = NNLinearity.Glm.Glm.FitStreaming(GlmChunkSources.FromParquet([path], Map), GlmFamily.Poisson);
        AssertSameBits(Reference(n), fit);
        GlmFit inMemory = NNLinearity.Glm.Glm.Fit(d.X, n, 2, d.Y, GlmFamily.Poisson, options: new GlmOptions { Weights = d.W, Offset = d.Off });
        Assert.Equal(inMemory.Deviance, fit.Deviance, 1e-10 * inMemory.Deviance);
        Assert.Equal(inMemory.NullDeviance, fit.NullDeviance, 1e-10 * inMemory.NullDeviance);

        var missing = Assert.Throws<InvalidDataException>(() => NNLinearity.Glm.Glm.FitStreaming(GlmChunkSources.FromParquet([path], Map with { Offset = "exposure" }), GlmFamily.Poisson));
        Assert.Contains("no column \"exposure\"", missing.Message, StringComparison.Ordinal);
        Assert.Throws<FileNotFoundException>(() => GlmChunkSources.FromParquet([Path.Combine(_dir, "none.parquet")], Map));
        Assert.Throws<ArgumentException>(() => GlmChunkSources.FromParquet([path], new GlmColumnMap("y", ["x1", "y"])));
    }

    [Fact]
    public void ArrowFile_BatchesGiveTheInMemoryFit_AndNullsAreRefused()
    {
        const int n = 9_000;
        var d = Data(n);
        string path = Path.Combine(_dir, "data.arrow");
        Schema schema = new Schema.Builder()
            .Field(f => f.Name("y").DataType(DoubleType.Default)).Field(f => f.Name("x1").DataType(DoubleType.Default))
            .Field(f => f.Name("x2").DataType(Int32Type.Default)).Field(f => f.Name("w").DataType(FloatType.Default))
            .Field(f => f.Name("logt").DataType(DoubleType.Default)).Build();
        RecordBatch Batch(int r0, int rows, bool withNull = false)
        {
            var y = new DoubleArray.Builder().AppendRange(d.Y.Skip(r0).Take(rows)).Build();
            var x1b = new DoubleArray.Builder();
            for (int i = r0; i < r0 + rows; i++)
            {
                if (withNull && i == r0 + 5) x1b.AppendNull();
                else x1b.Append(d.X[2 * i]);
            }

            var x2 = new Int32Array.Builder().AppendRange(d.X2.Skip(r0).Take(rows)).Build();
            var w = new FloatArray.Builder().AppendRange(d.Wf.Skip(r0).Take(rows)).Build();
            var o = new DoubleArray.Builder().AppendRange(d.Off.Skip(r0).Take(rows)).Build();
            return new RecordBatch(schema, [y, x1b.Build(), x2, w, o], rows);
        }

        using (FileStream stream = File.Create(path))
        {
            using var writer = new ArrowFileWriter(stream, schema);
            writer.WriteRecordBatch(Batch(0, 4097));
            writer.WriteRecordBatch(Batch(4097, 4903));
            writer.WriteEnd();
        }

        AssertSameBits(Reference(n), NNLinearity.Glm.Glm.FitStreaming(GlmChunkSources.FromArrowFile(path, Map), GlmFamily.Poisson));

        string bad = Path.Combine(_dir, "null.arrow");
        using (FileStream stream = File.Create(bad))
        {
            using var writer = new ArrowFileWriter(stream, schema);
            writer.WriteRecordBatch(Batch(0, 100));
            writer.WriteRecordBatch(Batch(100, 100, withNull: true));
            writer.WriteEnd();
        }

        var e = Assert.Throws<InvalidDataException>(() => NNLinearity.Glm.Glm.FitStreaming(GlmChunkSources.FromArrowFile(bad, Map), GlmFamily.Poisson));
        Assert.Contains("Row 5 of record batch 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("\"x1\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Csv_ChunksOfAnySize_GiveTheInMemoryFit_AndBadFieldsAreNamed()
    {
        const int n = 7_000;
        var d = Data(n);
        string path = Path.Combine(_dir, "data.csv");
        var text = new StringBuilder("logt,x2,y,w,x1\n");
        for (int i = 0; i < n; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"{d.Off[i]:R},{d.X2[i]},{d.Y[i]:R},{(double)d.Wf[i]:R},{d.X[2 * i]:R}\n");
        }

        File.WriteAllText(path, text.ToString());
        AssertSameBits(Reference(n), NNLinearity.Glm.Glm.FitStreaming(GlmChunkSources.FromCsv(path, Map, chunkRows: 333), GlmFamily.Poisson));

        File.WriteAllText(path, "y,x1,x2,w,logt\n1,2,3,1,0\n2,NA,3,1,0\n");
        var e = Assert.Throws<InvalidDataException>(() => NNLinearity.Glm.Glm.FitStreaming(GlmChunkSources.FromCsv(path, Map), GlmFamily.Poisson));
        Assert.Contains("Line 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("\"NA\" in column \"x1\"", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => GlmChunkSources.FromCsv(path, Map, chunkRows: 0));
    }
}

/// <summary>A formula fit streamed from an Arrow IPC file's batches: the in-memory formula fit of the whole table.</summary>
public sealed class StreamingArrowFormulaTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "nnl-arrow-formula-" + Guid.NewGuid().ToString("N") + ".arrow");

    public void Dispose() => File.Delete(_path);

    [Fact]
    public void DictionaryFactorsAndNulls_InBatches_GiveTheInMemoryFit()
    {
        int n = 2000;
        var rng = new Random(9);
        string[] levels = ["compact", "estate", "sport", "van"];
        var kind = new string?[n];
        var age = new double?[n];
        var claims = new double[n];
        for (int i = 0; i < n; i++)
        {
            kind[i] = i % 101 == 7 ? null : levels[(i * 4 / n + rng.Next(0, 2)) % 4];
            age[i] = i % 53 == 1 ? null : 18 + 60 * rng.NextDouble();
            claims[i] = MathNet.Numerics.Distributions.Poisson.Sample(rng, Math.Exp(-0.5 + 0.01 * (age[i] ?? 40) + (kind[i] == "sport" ? 0.6 : 0)));
        }

        var dictType = new DictionaryType(Int32Type.Default, StringType.Default, false);
        var dictionary = new StringArray.Builder().AppendRange(levels).Build();
        Schema schema = new Schema.Builder().Field(f => f.Name("claims").DataType(DoubleType.Default))
            .Field(f => f.Name("kind").DataType(dictType)).Field(f => f.Name("age").DataType(DoubleType.Default)).Build();
        using (FileStream stream = File.Create(_path))
        {
            using var writer = new ArrowFileWriter(stream, schema);
            for (int r0 = 0; r0 < n; r0 += 600)
            {
                int rows = Math.Min(600, n - r0);
                var idx = new Int32Array.Builder();
                var ages = new DoubleArray.Builder();
                for (int i = r0; i < r0 + rows; i++)
                {
                    if (kind[i] is null) idx.AppendNull();
                    else idx.Append(System.Array.IndexOf(levels, kind[i]));
                    if (age[i] is double a) ages.Append(a);
                    else ages.AppendNull();
                }

                var kinds = new DictionaryArray(dictType, idx.Build(), dictionary);
                using var batch = new RecordBatch(schema, [new DoubleArray.Builder().AppendRange(claims.Skip(r0).Take(rows)).Build(), kinds, ages.Build()], rows);
                writer.WriteRecordBatch(batch);
            }

            writer.WriteEnd();
        }

        var table = new NNLinearity.Data.DataTable(NNLinearity.Data.DataColumn.Numeric("claims", claims),
            NNLinearity.Data.DataColumn.Factor("kind", kind, levels), NNLinearity.Data.DataColumn.Numeric("age", age));
        GlmFit expected = NNLinearity.Glm.Glm.Fit("claims ~ kind + age", table, GlmFamily.Poisson);
        GlmFit actual = NNLinearity.Glm.Glm.FitStreaming("claims ~ kind + age", GlmChunkSources.TablesFromArrowFile(_path), GlmFamily.Poisson);
        Assert.Equal(expected.CoefficientNames, actual.CoefficientNames);
        for (int j = 0; j < expected.Coefficients.Count; j++) Assert.Equal(expected.Coefficients[j], actual.Coefficients[j], 1e-10);
        Assert.Equal(expected.Deviance, actual.Deviance, 1e-10 * expected.Deviance);
        Assert.Equal(expected.RowCount, actual.RowCount);
    }
}

/// <summary>Parquet row groups as tables for a streamed formula fit: text, nullable numbers, integers and booleans over two files.</summary>
public sealed class StreamingParquetFormulaTests : IDisposable
{
    /// <summary>The streamed formula fit is the in-memory one: names, coefficients and standard errors (1e-10), deviance and rows.</summary>
    internal static void AssertSameFormulaFit(GlmFit expected, GlmFit actual)
    {
        Assert.Equal(expected.CoefficientNames, actual.CoefficientNames);
        for (int j = 0; j < expected.Coefficients.Count; j++)
        {
            Assert.Equal(expected.Coefficients[j], actual.Coefficients[j], 1e-10);
            Assert.Equal(expected.StandardErrors[j], actual.StandardErrors[j], 1e-10);
        }

        Assert.Equal(expected.Deviance, actual.Deviance, 1e-10 * expected.Deviance);
        Assert.Equal(expected.RowCount, actual.RowCount);
    }

    private readonly string _dir = Directory.CreateTempSubdirectory("nnl-parquet-formula-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async System.Threading.Tasks.Task TextNullsIntegersAndBooleans_InRowGroups_GiveTheInMemoryFit()
    {
        const int n = 3000;
        var rng = new Random(11);
        string[] kinds = ["van", "compact", "sport", "estate"];
        var kind = new string?[n];
        var age = new double?[n];
        var doors = new int[n];
        var urban = new bool?[n];
        var claims = new double[n];
        for (int i = 0; i < n; i++)
        {
            kind[i] = i % 101 == 7 ? null : kinds[(i * 4 / n + rng.Next(0, 2)) % 4]; // early row groups miss some kinds
            age[i] = i % 53 == 1 ? null : 18 + 60 * rng.NextDouble();
            doors[i] = 2 + 2 * rng.Next(0, 2);
            urban[i] = i % 71 == 3 ? null : rng.Next(0, 2) == 1;
            claims[i] = MathNet.Numerics.Distributions.Poisson.Sample(rng, Math.Exp(-0.5 + 0.01 * (age[i] ?? 40) + (kind[i] == "sport" ? 0.6 : 0) + (urban[i] == true ? 0.3 : 0)));
        }

        var fc = new DataField<double>("claims");
        var fk = new DataField<string>("kind", true);
        var fa = new DataField<double?>("age");
        var fd = new DataField<int>("doors");
        var fu = new DataField<bool?>("urban");
        var fx = new DataField<string>("note", true); // not read
        string[] paths = [Path.Combine(_dir, "part-0.parquet"), Path.Combine(_dir, "part-1.parquet")];
        (int File, int R0, int Rows)[] groups = [(0, 0, 700), (0, 700, 1), (0, 701, 899), (1, 1600, 1400)];
        for (int f = 0; f < 2; f++)
        {
            await using FileStream stream = File.Create(paths[f]);
            await using ParquetWriter writer = await ParquetWriter.CreateAsync(new ParquetSchema(fc, fk, fa, fd, fu, fx), stream);
            foreach ((int file, int r0, int rows) in groups)
            {
                if (file != f) continue;
                using ParquetRowGroupWriter group = writer.CreateRowGroup();
                await group.WriteAsync<double>(fc, claims.AsMemory(r0, rows));
                await group.WriteAsync(fk, kind.Skip(r0).Take(rows).ToArray());
                await group.WriteAsync<double>(fa, age.AsMemory(r0, rows));
                await group.WriteAsync<int>(fd, doors.AsMemory(r0, rows));
                await group.WriteAsync<bool>(fu, urban.AsMemory(r0, rows));
                await group.WriteAsync(fx, Enumerable.Repeat("n/a", rows).ToArray());
            }
        }

        var table = new NNLinearity.Data.DataTable(NNLinearity.Data.DataColumn.Numeric("claims", claims), NNLinearity.Data.DataColumn.Text("kind", kind),
            NNLinearity.Data.DataColumn.Numeric("age", age), NNLinearity.Data.DataColumn.Numeric("doors", doors.Select(d => (double)d).ToArray()),
            NNLinearity.Data.DataColumn.Logical("urban", urban));
        const string formula = "claims ~ kind + age + factor(doors) + urban";
        GlmFit expected = NNLinearity.Glm.Glm.Fit(formula, table, GlmFamily.Poisson);
        GlmFit actual = NNLinearity.Glm.Glm.FitStreaming(formula, GlmChunkSources.TablesFromParquet(paths, ["claims", "kind", "age", "doors", "urban"]), GlmFamily.Poisson);
        AssertSameFormulaFit(expected, actual);
        Assert.Contains("urbanTRUE", actual.CoefficientNames);
        GlmFit everyColumn = NNLinearity.Glm.Glm.FitStreaming(formula, GlmChunkSources.TablesFromParquet(paths), GlmFamily.Poisson);
        Assert.Equal(actual.Coefficients.ToArray(), everyColumn.Coefficients.ToArray());

        var missing = Assert.Throws<InvalidDataException>(() => NNLinearity.Glm.Glm.FitStreaming(formula, GlmChunkSources.TablesFromParquet(paths, ["claims", "kind", "region"]), GlmFamily.Poisson));
        Assert.Contains("no column \"region\"", missing.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => GlmChunkSources.TablesFromParquet(paths, ["claims", "claims"]));
        Assert.Throws<ArgumentException>(() => GlmChunkSources.TablesFromParquet([]));
        Assert.Throws<FileNotFoundException>(() => GlmChunkSources.TablesFromParquet([Path.Combine(_dir, "none.parquet")]));
    }

    [Fact]
    public async System.Threading.Tasks.Task OtherTypes_AndInfiniteValues_AreRefusedWithTheirPlace()
    {
        string path = Path.Combine(_dir, "bad.parquet");
        var fy = new DataField<double>("y");
        var fx = new DataField<double>("x");
        var ft = new DataField<DateTime>("when");
        await using (FileStream stream = File.Create(path))
        {
            await using ParquetWriter writer = await ParquetWriter.CreateAsync(new ParquetSchema(fy, fx, ft), stream);
            using ParquetRowGroupWriter group = writer.CreateRowGroup();
            await group.WriteAsync<double>(fy, new double[] { 1, 0, 1 });
            await group.WriteAsync<double>(fx, new[] { 1.0, double.PositiveInfinity, 3 });
            await group.WriteAsync<DateTime>(ft, new[] { DateTime.UnixEpoch, DateTime.UnixEpoch, DateTime.UnixEpoch });
        }

        var type = Assert.Throws<InvalidDataException>(() => NNLinearity.Glm.Glm.FitStreaming("y ~ when", GlmChunkSources.TablesFromParquet([path], ["y", "when"]), GlmFamily.Binomial));
        Assert.Contains("\"when\"", type.Message, StringComparison.Ordinal);
        var infinite = Assert.Throws<InvalidDataException>(() => NNLinearity.Glm.Glm.FitStreaming("y ~ x", GlmChunkSources.TablesFromParquet([path], ["y", "x"]), GlmFamily.Binomial));
        Assert.Contains("Row group 0 of", infinite.Message, StringComparison.Ordinal);
        Assert.Contains("x[1]", infinite.Message, StringComparison.Ordinal);
    }
}

/// <summary>A CSV file as tables for a streamed formula fit: the fit of the whole file read as one table.</summary>
public sealed class StreamingCsvFormulaTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), "nnl-csv-formula-" + Guid.NewGuid().ToString("N") + ".csv");

    public void Dispose() => File.Delete(_path);

    private void Write(int n)
    {
        var rng = new Random(13);
        string[] kinds = ["van", "compact", "sport", "estate"];
        var sb = new StringBuilder("claims,kind,age,urban,band\n");
        for (int i = 0; i < n; i++)
        {
            string? kind = i % 101 == 7 ? null : kinds[(i * 4 / n + rng.Next(0, 2)) % 4];
            double? age = i % 53 == 1 ? null : Math.Round(18 + 60 * rng.NextDouble(), 3);
            bool urban = rng.Next(0, 2) == 1;
            string band = "b" + rng.Next(1, 4).ToString(CultureInfo.InvariantCulture);
            double mu = Math.Exp(-0.5 + 0.01 * (age ?? 40) + (kind == "sport" ? 0.6 : 0) + (urban ? 0.3 : 0));
            int claims = MathNet.Numerics.Distributions.Poisson.Sample(rng, mu);
            sb.Append(CultureInfo.InvariantCulture, $"{claims},{kind ?? "NA"},{(age is double a ? a.ToString("R", CultureInfo.InvariantCulture) : "")},{(urban ? "TRUE" : "FALSE")},{band}\n");
        }

        File.WriteAllText(_path, sb.ToString());
    }

    [Theory]
    [InlineData(7)]
    [InlineData(500)]
    [InlineData(100_000)]
    public void TablesOfAnySize_GiveTheFitOfTheWholeFile(int chunkRows)
    {
        Write(2500);
        var options = new CsvReadOptions { ColumnKinds = new System.Collections.Generic.Dictionary<string, NNLinearity.Data.ColumnKind> { ["band"] = NNLinearity.Data.ColumnKind.Factor } };
        const string formula = "claims ~ kind + age + urban + band";
        GlmFit expected = NNLinearity.Glm.Glm.Fit(formula, CsvTables.Read(_path, options), GlmFamily.Poisson);
        GlmFit actual = NNLinearity.Glm.Glm.FitStreaming(formula, GlmChunkSources.TablesFromCsv(_path, chunkRows, options), GlmFamily.Poisson);
        StreamingParquetFormulaTests.AssertSameFormulaFit(expected, actual);
        Assert.Contains("urbanTRUE", actual.CoefficientNames);
        Assert.Contains("bandb3", actual.CoefficientNames);
    }

    [Fact]
    public void BadFields_AFileThatChanged_AndBadArguments_AreRefused()
    {
        Write(300);
        NNLinearity.Data.IDataTableChunkSource tables = GlmChunkSources.TablesFromCsv(_path, 100);
        Assert.Equal(3, tables.ReadTables(default).Count());
        File.AppendAllText(_path, "1,van,30,TRUE,b1\n");
        var changed = Assert.Throws<InvalidDataException>(() => tables.ReadTables(default).Count());
        Assert.Contains("changed", changed.Message, StringComparison.Ordinal);

        File.WriteAllText(_path, "y,x\n1,2\n0,3\n");
        var forced = new CsvReadOptions { ColumnKinds = new System.Collections.Generic.Dictionary<string, NNLinearity.Data.ColumnKind> { ["x"] = NNLinearity.Data.ColumnKind.Logical } };
        var bad = Assert.Throws<InvalidDataException>(() => GlmChunkSources.TablesFromCsv(_path, 1, forced).ReadTables(default).Count());
        Assert.Contains("column 'x'", bad.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => GlmChunkSources.TablesFromCsv(_path, 0));
        Assert.Throws<FileNotFoundException>(() => GlmChunkSources.TablesFromCsv(_path + ".none"));
    }
}
