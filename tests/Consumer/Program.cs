using NNLinearity.Data;
using NNLinearity.Families;
using NNLinearity.Interop;
using NNLinearity.Glm;
using NNLinearity.Layers;
using NNLinearity.Linearity;
using NNLinearity.Links;

// Uses the package through its public API only. Exit code 0 when every check holds.
double[,] x =
{
    { 0, 0, 0, 0 }, { 1, 0, 0, 0 }, { 0, 1, 0, 0 },
    { 0, 0, 1, 0 }, { 1, 0, 1, 0 }, { 0, 1, 1, 0 },
    { 0, 0, 0, 1 }, { 1, 0, 0, 1 }, { 0, 1, 0, 1 },
};
double[] counts = [18, 17, 15, 20, 10, 20, 25, 13, 12];
GlmFit fit = Glm.Fit(x, counts, GlmFamily.Poisson, new LogLink());
Console.WriteLine(fit.Summary());

// R's ?glm: residual deviance 5.1291 on 4 degrees of freedom, AIC 56.76.
bool glmOk = Math.Abs(fit.Deviance - 5.129141077) < 1e-6 && fit.ResidualDegreesOfFreedom == 4 && Math.Abs(fit.Aic!.Value - 56.76132) < 1e-4;
Console.WriteLine(glmOk ? "consumer: GLM fit matches R" : "consumer: GLM fit does NOT match R");

// The same model as a one-layer network trained by L-BFGS: it lands on the GLM.
double[,] y = new double[9, 1];
for (int i = 0; i < 9; i++) y[i, 0] = counts[i];
var oneLayer = StackedGlm.Create<double>(4, [new LayerSpec(1, new LogLink())], GlmFamily.Poisson, seed: 1);
oneLayer.Fit(x, y, new TrainingOptions { Optimizer = Optimizer.Lbfgs, MaxEpochs = 1000 });
GlmConversion conversion = GlmBridge.ToGlm(oneLayer, x, counts);
bool netOk = conversion.MaxRelativeDifference < 1e-6;
LinearityReport oneReport = LinearityAnalysis.Analyze(oneLayer, x, y);
Console.WriteLine(oneReport);

// A tanh hidden layer is not a GLM.
var deep = StackedGlm.Create<double>(4, [new LayerSpec(3, new TanhLink()), new LayerSpec(1, new LogLink())], GlmFamily.Poisson, seed: 2);
deep.Fit(x, y, new TrainingOptions { Optimizer = Optimizer.Adam, LearningRate = 0.05, MaxEpochs = 200, BatchSize = 9 });
LinearityReport deepReport = LinearityAnalysis.Analyze(deep, x, y);
Console.WriteLine(deepReport);
bool reportOk = oneReport.IsLinearInParameters && !deepReport.IsLinearInParameters;
Console.WriteLine(netOk && reportOk ? "consumer: network and linearity report as expected" : $"consumer: network gap {conversion.MaxRelativeDifference}, reports {oneReport.IsLinearInParameters}/{deepReport.IsLinearInParameters}");
// The formula front door on a CSV file, through the Interop package: MASS's insurance claims with an exposure offset.
DataTable insurance = Datasets.Insurance();
string csvPath = Path.Combine(Path.GetTempPath(), $"insurance-{Environment.ProcessId}.csv");
File.WriteAllLines(csvPath, Enumerable.Range(0, insurance.RowCount)
    .Select(i => string.Join(",", insurance.Columns.Select(c => c.Kind == ColumnKind.Numeric ? c.GetNumber(i).ToString(System.Globalization.CultureInfo.InvariantCulture) : "\"" + c.GetLevel(i) + "\"")))
    .Prepend(string.Join(",", insurance.ColumnNames)));
// District's labels are numbers, so (as R's read.csv would) the reader infers a numeric column: say it is a factor.
DataTable fromCsv = CsvTables.Read(csvPath, new CsvReadOptions { ColumnKinds = new Dictionary<string, ColumnKind> { ["District"] = ColumnKind.Factor } });
File.Delete(csvPath);
GlmFit claims = Glm.Fit("Claims ~ District + Group + Age + offset(log(Holders))", fromCsv, GlmFamily.Poisson);
// From CSV the size and age columns are plain factors (treatment contrasts); R gives residual deviance 51.42 on 54 df either way.
bool formulaOk = Math.Abs(claims.Deviance - 51.42003) < 1e-4 && claims.ResidualDegreesOfFreedom == 54 && claims.CoefficientNames.Contains("District4");
Console.WriteLine(formulaOk ? "consumer: formula fit from CSV matches R" : $"consumer: formula fit from CSV gives deviance {claims.Deviance}");
// The same Dobson model streamed in chunks of two rows, and the grain key the Orleans package gives its partitions.
double[] flat = Enumerable.Range(0, 9).SelectMany(i => Enumerable.Range(0, 4).Select(j => x[i, j])).ToArray();
GlmFit streamed = Glm.FitStreaming(GlmChunkSource.FromArrays(flat, 4, counts, chunkRows: 2), GlmFamily.Poisson);
bool streamOk = Math.Abs(streamed.Deviance - 5.129141077) < 1e-6 && Math.Abs(streamed.Aic!.Value - 56.76132) < 1e-4 && streamed.DataPasses == streamed.Iterations + 1
    && NNLinearity.Orleans.GlmPartitionKey.Of("claims", 3) == "claims/3";
Console.WriteLine(streamOk ? "consumer: streamed fit matches R" : $"consumer: streamed fit gives deviance {streamed.Deviance}");
return glmOk && netOk && reportOk && formulaOk && streamOk ? 0 : 1;
