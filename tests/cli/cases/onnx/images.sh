# --images: a CSV of files and labels, its folder and one of its images give the same
# rows; explanations of images drawn as the input, the map and their overlay; images that
# do not fit the model (size, channels) are errors naming the file unless --resize or
# --channels say to convert; corrupt images, empty folders, a model that takes no images
# and bad normalisation are refused. (Values: tests/unit/test_onnx.c against torch.)
. "$CASES/lib.sh"
cp -r "$DATA/fashion" f
cp "$FIX/images/jpeg_rgb.jpg" "$FIX/images/bad_cut.png" "$FIX/images/png_grey8.png" .
M="--model f/fashion_cnn.onnx --mean 0.286 --std 0.353"
"$LIMN" predict $M --images f/labels.csv --target label >p1.csv
echo "exit $?"
head -1 p1.csv
awk 'END { print NR - 1 " rows" }' p1.csv
"$LIMN" predict $M --images f/images >p2.csv
head -1 p2.csv
tail -n +2 p1.csv >a1
tail -n +2 p2.csv >a2
same a1 a2 "predictions of a listing and of its folder (its classes unnamed)"
"$LIMN" predict $M --images f/images/test_03.png | tail -1 >p3
sed -n 5p p1.csv >r3
same p3 r3 "one image and its row in the folder"
"$LIMN" predict $M --images f/labels.csv --target label --format json | grep -o '"row":"[^"]*"' | tail -1
"$LIMN" explain $M --images f/labels.csv --target label --rows 0,7 --method gradcam --output logit \
  --format svg --out g.svg
echo "exit $?"
grep -c "<image " g.svg
grep -o "data:image/png;base64," g.svg | head -1
grep -o ">overlay<" g.svg | head -1
"$LIMN" explain $M --images f/images --rows 0 --method ig --steps 8 --format json | grep -o '"images_sha256":"[0-9a-f]*"' >d1
(cd f/images && sha256sum test_*.png) | sed 's|  |  f/images/|' | sha256sum | awk '{ print "\"images_sha256\":\"" $1 "\"" }' >d2
same d1 d2 "the manifest's images digest and sha256sum's"
# images that do not fit
run predict $M --images jpeg_rgb.jpg
run predict $M --images jpeg_rgb.jpg --channels model
"$LIMN" predict $M --images jpeg_rgb.jpg --channels model --resize model | awk -F, 'END { print NR " lines of " NF " fields" }'
run predict $M --images png_grey8.png
run predict $M --images bad_cut.png
mkdir empty
run predict $M --images empty
run predict $M --images f/images --target label
printf 'path,label\nimages/test_00.png,9\n' >f/nofile.csv
run predict $M --images f/nofile.csv --target label
run predict --model f/fashion_cnn.onnx --images f/images --std 0
run predict --model f/fashion_cnn.onnx --images f/images --mean 0.1,0.2
run predict $M --images f/images --resize twice
run predict $M --images f/images --data "$DATA/digits.csv"
cp "$FIX/onnx/bc_torch_op13.onnx" bc.onnx
run predict --model bc.onnx --images f/images
run predict --model f/fashion_cnn.onnx
# image baselines for IG: black is the CSV row of (0 - mean) / std; noise repeats with its
# seed; blur and noise are one row per image; they need an image model
E="explain $M --images f/images --rows 0,3 --method ig --steps 8 --format csv"
"$LIMN" $E --baseline black >b1.csv
awk 'BEGIN { for (y = 0; y < 28; y++) for (x = 0; x < 28; x++) printf "%spixel_%d_%d", (y + x ? "," : ""), y, x
  print ""; for (j = 0; j < 784; j++) printf "%s%.17g", (j ? "," : ""), (0 - 0.286) / 0.353; print "" }' >black.csv
"$LIMN" $E --baseline black.csv >b2.csv
same b1.csv b2.csv "IG from --baseline black and from a CSV of the black image"
"$LIMN" $E --baseline noise --seed 3 >n1.csv
"$LIMN" $E --baseline noise --seed 3 >n2.csv
"$LIMN" $E --baseline noise --seed 4 >n3.csv
same n1.csv n2.csv "noise baselines of one seed"
cmp -s n1.csv n3.csv || echo "another seed, other attributions"
"$LIMN" explain $M --images f/images --rows 0 --method ig --steps 8 --baseline blur:2 --format text --top 1 | sed -n 1p |
  sed 's/= [0-9.]*/= N/'
run $E --baseline blur:0
bc_model
run explain --model bc.limn --data te.csv --rows 0 --method ig --baseline black
# --overlay: a PNG per explained image, named after it; rows of pixels are named by row
"$LIMN" explain $M --images f/labels.csv --target label --rows 2,5 --method gradcam --overlay ov --format json >/dev/null
ls ov
od -An -c -N4 ov/test_02.png | tr -s ' '
"$LIMN" explain --model "$FIX/onnx/digits_cnn.onnx" --data "$DATA/digits.csv" --target digit --rows 4 --method ig \
  --overlay ov2 >/dev/null
ls ov2
run explain $M --images f/images --rows 0 --overlay ov3 --format wide
run explain --model bc.limn --data te.csv --rows 0 --overlay ov4
# LIME on superpixels: the surrogate's fit reported, one weight per superpixel spread over
# its pixels, the same with another thread count; its options checked
"$LIMN" explain $M --images f/images --rows 1 --method lime-image --format text --top 2 --threads 1 >l1.txt
"$LIMN" explain $M --images f/images --rows 1 --method lime-image --format text --top 2 --threads 2 >l2.txt
same l1.txt l2.txt "lime-image on 1 and 2 threads"
sed -n '1p;2p' l1.txt | sed 's/= [0-9.]*/= N/; s/intercept .*/intercept N, .../'
"$LIMN" explain $M --images f/images --rows 1 --method lime-image --format json | grep -o '"score":[^,]*' | sed 's/:.*/: present/'
"$LIMN" explain $M --images f/images --rows 1 --method lime-image --num-samples 200 --segments 9 --hide 0 \
  --format csv --top 0 | awk -F, 'NR > 1 { w[$NF] = 1 } END { n = 0; for (k in w) n++; print (n <= 20 ? "a weight per superpixel, a few of them" : n " weights") }'
run explain $M --images f/images --rows 1 --method lime-image --hide grey
run explain --model bc.limn --data te.csv --rows 0 --method lime-image
# the randomisation check: a rank correlation per row, in text and JSON; limn MLPs too;
# not for LIME or SHAP, nor a streamed format
"$LIMN" explain $M --images f/images --rows 0 --method gradient --sanity 2 --format text | grep -c "^  sanity: rank correlation"
"$LIMN" explain $M --images f/images --rows 0,1 --method ig --steps 8 --sanity 4 --format jsonl | grep -c '"sanity_rank_correlation":'
"$LIMN" explain --model bc.limn --data te.csv --rows 0 --method gradient --sanity 1 | grep -c "^  sanity: rank correlation"
run explain --model bc.limn --data te.csv --rows 0 --method lime --sanity 1
run explain --model bc.limn --data te.csv --rows 0 --method ig --sanity 1 --format wide
# the report of an image model: a gallery per row of the input and each image method's
# map with its deletion and insertion areas, one of them outlined as the most faithful
"$LIMN" report $M --images f/labels.csv --target label --rows 0,1 --out r.html 2>/dev/null
echo "exit $?"
grep -c "<h3>Which map to trust for this image</h3>" r.html
grep -o "<strong>[A-Za-z() -]*</strong><br>deletion" r.html | sort | uniq -c | sed 's/<[^>]*>//g'
grep -c 'figure class="im best"' r.html
grep -c '<img width="160" height="160" alt=' r.html
grep -o "made from the activations entering the model's last dense layer ('[^']*'" r.html
grep -c '<img class="thumb" width="48" height="48"' r.html
# the explained images drawn on the map too, and a folder named in the provenance with the
# digest of sha256sum's lines for its images (as the manifest's)
grep -c '<image x="[0-9.]*" y="[0-9.]*" width="32" height="32" style="image-rendering:pixelated" href="data:image/png;base64,' r.html
"$LIMN" report $M --images f/images --rows 0 --out r2.html 2>/dev/null
grep -o '<dt>Data</dt><dd><code>f/images</code> (20 rows), SHA-256 <code>[0-9a-f]*</code>' r2.html |
  sed 's/.*<code>\([0-9a-f]*\)<\/code>$/"images_sha256":"\1"/' >d3
same d3 d2 "the report's digest of a folder and sha256sum's"
grep -o "</code> of sha256sum's lines for its 20 images in row order" r2.html
# rows are named by their image's path (predict's row column, explain's wide format)
"$LIMN" predict $M --images f/images | sed -n '1p;2p' | cut -d, -f1
"$LIMN" explain $M --images f/images --rows 3 --format wide | sed -n 2p | cut -d, -f1
run predict $M --images f/images --id-column file
