using System;
using System.IO;
using System.Linq;
using System.Text;
using Apache.Arrow;
using Apache.Arrow.Types;
using Microsoft.Data.Analysis;
using NNLinearity.Data;
using NNLinearity.Families;
using NNLinearity.Glm;
using NNLinearity.Interop;
using Xunit;
using DataColumn = NNLinearity.Data.DataColumn;

namespace NNLinearity.Tests.Interop;

/// <summary>Tables from Arrow, data frames and CSV equal the same table built from arrays, and fit the same model bit for bit.</summary>
public sealed class InteropTests
{
    private static readonly double?[] Y = [3, 5, null, 9, 4, 6, 8, 2];
    private static readonly double?[] X = [0.5, 1.25, 2, null, 0.75, 1.5, 2.5, 0.25];
    private static readonly string?[] G = ["b", "a", "c", "a", null, "b", "c", "a"];
    private static readonly bool?[] Flag = [true, false, true, true, false, null, false, true];

    private static DataTable Expected() => new(DataColumn.Numeric("y", Y), DataColumn.Numeric("x", X), DataColumn.Text("g", G), DataColumn.Logical("flag", Flag));

    private static void AssertSame(DataTable expected, DataTable actual)
    {
        Assert.Equal(expected.ColumnNames, actual.ColumnNames);
        for (int c = 0; c < expected.Columns.Count; c++)
        {
            DataColumn e = expected.Columns[c], a = actual.Columns[c];
            Assert.Equal(e.Kind, a.Kind);
            Assert.Equal(e.Levels, a.Levels);
            for (int i = 0; i < e.Count; i++)
            {
                Assert.Equal(e.IsMissing(i), a.IsMissing(i));
                if (e.IsMissing(i)) continue;
                if (e.Kind == ColumnKind.Numeric) Assert.Equal(e.GetNumber(i), a.GetNumber(i));
                else Assert.Equal(e.GetLevel(i), a.GetLevel(i));
            }
        }

        GlmFit fe = NNLinearity.Glm.Glm.Fit("y ~ x + g + flag", expected, GlmFamily.Poisson), fa = NNLinearity.Glm.Glm.Fit("y ~ x + g + flag", actual, GlmFamily.Poisson);
        Assert.Equal(fe.Coefficients, fa.Coefficients);
    }

    [Fact]
    public void ArrowRecordBatch_GivesTheTable()
    {
        var dict = new StringArray.Builder().Append("a").Append("b").Append("c").Build();
        var indices = new Int32Array.Builder();
        foreach (string? g in G)
        {
            if (g is null) indices.AppendNull();
            else indices.Append(g[0] - 'a');
        }

        var dictType = new DictionaryType(Int32Type.Default, StringType.Default, false);
        var gArray = new DictionaryArray(dictType, indices.Build(), dict);
        var yArray = new Int64Array.Builder();
        foreach (double? v in Y) { if (v is null) yArray.AppendNull(); else yArray.Append((long)v.Value); }
        var xArray = new DoubleArray.Builder();
        foreach (double? v in X) { if (v is null) xArray.AppendNull(); else xArray.Append(v.Value); }
        var fArray = new BooleanArray.Builder();
        foreach (bool? v in Flag) { if (v is null) fArray.AppendNull(); else fArray.Append(v.Value); }
        var schema = new Schema.Builder()
            .Field(f => f.Name("y").DataType(Int64Type.Default)).Field(f => f.Name("x").DataType(DoubleType.Default))
            .Field(f => f.Name("g").DataType(dictType)).Field(f => f.Name("flag").DataType(BooleanType.Default)).Build();
        using var batch = new RecordBatch(schema, [yArray.Build(), xArray.Build(), gArray, fArray.Build()], Y.Length);
        DataTable t = ArrowTables.FromRecordBatch(batch);
        Assert.Equal(ColumnKind.Factor, t["g"].Kind);
        AssertSame(new DataTable(DataColumn.Numeric("y", Y), DataColumn.Numeric("x", X), DataColumn.Factor("g", G, ["a", "b", "c"]), DataColumn.Logical("flag", Flag)), t);
    }

    [Fact]
    public void DataFrame_GivesTheTable()
    {
        var frame = new DataFrame(
            new PrimitiveDataFrameColumn<double>("y", Y.Select(v => v)),
            new PrimitiveDataFrameColumn<float>("x", X.Select(v => (float?)v)),
            new StringDataFrameColumn("g", G),
            new PrimitiveDataFrameColumn<bool>("flag", Flag.Select(v => v)));
        AssertSame(Expected(), DataFrames.ToDataTable(frame));
    }

    [Fact]
    public void Csv_InfersKinds_ReadsMissingAndQuotedFields()
    {
        var csv = new StringBuilder("y,x,g,flag\n");
        for (int i = 0; i < Y.Length; i++)
        {
            csv.Append(Y[i]?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "NA").Append(',')
               .Append(X[i]?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "").Append(',')
               .Append(G[i] is null ? "NA" : $"\"{G[i]}\"").Append(',')
               .Append(Flag[i] is null ? "" : Flag[i]!.Value ? "TRUE" : "FALSE").Append('\n');
        }

        AssertSame(Expected(), CsvTables.Parse(csv.ToString()));
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, csv.ToString());
            AssertSame(Expected(), CsvTables.Read(path));
        }
        finally
        {
            File.Delete(path);
        }

        DataTable forced = CsvTables.Parse(csv.ToString(), new CsvReadOptions { ColumnKinds = new System.Collections.Generic.Dictionary<string, ColumnKind> { ["y"] = ColumnKind.Factor } });
        Assert.Equal(ColumnKind.Factor, forced["y"].Kind);
        Assert.Equal(["2", "3", "4", "5", "6", "8", "9"], forced["y"].Levels);
    }

    [Fact]
    public void Csv_BadInput_NamesTheLineAndColumn()
    {
        Assert.Contains("lines [3", Assert.Throws<InvalidDataException>(() => CsvTables.Parse("a,b\n1,2\n3\n")).Message, StringComparison.Ordinal);
        var forced = new CsvReadOptions { ColumnKinds = new System.Collections.Generic.Dictionary<string, ColumnKind> { ["b"] = ColumnKind.Numeric } };
        Assert.Contains("column 'b': \"x\" is not a finite number", Assert.Throws<InvalidDataException>(() => CsvTables.Parse("a,b\n1,2\n3,x\n", forced)).Message, StringComparison.Ordinal);
        var unknown = new CsvReadOptions { ColumnKinds = new System.Collections.Generic.Dictionary<string, ColumnKind> { ["z"] = ColumnKind.Numeric } };
        Assert.Equal("options", Assert.Throws<ArgumentException>(() => CsvTables.Parse("a,b\n1,2\n", unknown)).ParamName);
    }
}
